// Versions of data that processes keep in memory (db/versioned-cache.ts): triggers (migrations 0011, 0012) raise
// a name's version with every change to the rows it covers, whoever makes it.
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const cacheVersionNames = ["sessions", "sites", "api keys"] as const;
export type CacheVersionName = (typeof cacheVersionNames)[number];

/**
 * "sessions": users and sessions (every update or delete of a user, a session deleted or cut short).
 * "sites": widget sites and their blocks (any insert, update or delete).
 * "api keys": ingest API keys (any insert, update or delete; migration 0012).
 */
export const cacheVersions = sqliteTable("cache_versions", {
  name: text("name", { enum: cacheVersionNames }).primaryKey(),
  version: integer("version").notNull(),
});
