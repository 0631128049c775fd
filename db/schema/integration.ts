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
  // When the key was last counted: growing delays (sign-in failures) are measured from it.
  lastHitAt: integer("last_hit_at"),
});

/**
 * What happened, by whom, from where: sign-ins, failed sign-ins, role and key changes, staff actions,
 * exports. Append-only: triggers in the migration refuse UPDATE and DELETE. Actor ids carry no foreign
 * key, so erasing a user keeps the record of what was done (the email is kept as it was then).
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    action: text("action").notNull(),
    actorId: text("actor_id"),
    actorEmail: text("actor_email"),
    actorRole: text("actor_role"),
    ip: text("ip"),
    // What the action was done to: a user, account, request, key, site...
    subjectType: text("subject_type"),
    subjectId: text("subject_id"),
    accountId: text("account_id"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [
    // Keyset pages newest first (time, then id for entries of the same millisecond), per filter.
    index("audit_log_at_idx").on(t.at, t.id),
    index("audit_log_action_idx").on(t.action, t.at, t.id),
    index("audit_log_actor_idx").on(t.actorId, t.at),
    index("audit_log_subject_idx").on(t.subjectId, t.at, t.id),
  ],
);

export type AuditLogRow = typeof auditLog.$inferSelect;
