// The transactional outbox (side effects written in the same transaction as the change that causes them,
// delivered with retries) and the single-use tokens that mailed links carry.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

export const outboxStatuses = ["pending", "sent", "failed"] as const;

export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    payload: text("payload", { mode: "json" }).notNull(),
    status: text("status", { enum: outboxStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    // A process that takes a message holds it until then; another may retry it after.
    lockedUntil: integer("locked_until"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [index("outbox_due_idx").on(t.status, t.nextAttemptAt)],
);

export const tokenPurposes = [
  "verify-email",
  "reset-password",
  "change-email",
  "staff-invite",
] as const;
export type TokenPurpose = (typeof tokenPurposes)[number];

export const emailTokens = sqliteTable(
  "email_tokens",
  {
    id: text("id").primaryKey(),
    // SHA-256 of the token in the link; the link itself is only in the mail.
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: tokenPurposes }).notNull(),
    // The address the link was sent to (the new one, for an email change).
    email: text("email").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("email_tokens_user_idx").on(t.userId, t.purpose)],
);
