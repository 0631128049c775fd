// Drizzle builds a query's SQL anew on every call, and on the hottest reads (the session behind every
// request, the first page of a list) building cost more than SQLite answering. A query that varies only
// in which conditions it has is built once per combination, its "shape", with placeholders for the values
// (`sql.placeholder`), and kept per database.
import { sql } from "drizzle-orm";
import type { Db } from "./client";

/** A named value of a query built once per shape, given when it runs: `query.all({ name: … })`. */
export const param = (name: string) => sql.placeholder(name);

export function perShape<Shape extends object, Query>(
  build: (db: Db, shape: Shape) => Query,
): (db: Db, shape: Shape) => Query {
  const built = new WeakMap<Db, Map<string, Query>>();
  return (db, shape) => {
    let queries = built.get(db);
    if (!queries) built.set(db, (queries = new Map<string, Query>()));
    const key = JSON.stringify(shape);
    let query = queries.get(key);
    if (!query) queries.set(key, (query = build(db, shape)));
    return query;
  };
}
