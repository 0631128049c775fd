// The full-text indexes of migration 0008, declared for queries only: drizzle-kit does not manage FTS5
// virtual tables, so they stay out of db/schema (whose tables it would try to create). One document per
// request, its rowid the request's search_key; `sql\`${table} match ${query}\`` searches one.
import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/** Open and pending requests: the inbox's working views search only these. */
export const requestSearchActive = sqliteTable("request_search_active", {
  rowid: integer("rowid").notNull(),
});

/** Resolved and closed requests: the "resolved" view's archive. */
export const requestSearchDone = sqliteTable("request_search_done", {
  rowid: integer("rowid").notNull(),
});

export type RequestSearchIndex = typeof requestSearchActive | typeof requestSearchDone;
