// What the company's own systems use to reach Tengsl: API keys for the ingest API, and the counters that
// rate-limit them (in the database, so every process shares them).
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // The first characters of the key, shown so people can tell their keys apart.
    prefix: text("prefix").notNull(),
    // SHA-256 of the whole key, hex. The key itself is shown once and never stored.
    keyHash: text("key_hash").notNull().unique(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_created_idx").on(t.createdAt)],
);

/** Fixed-window counters: one row per limited thing (a key, an IP and an action). */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});
