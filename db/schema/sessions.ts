// Sign-in sessions, read by the Lucia adapter in server/auth. Times are epoch milliseconds.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);

/**
 * A sign-in half done: the password was right and the user has two-factor sign-in, so the second step
 * (a TOTP or recovery code) is still owed. The browser holds the id in a short-lived cookie; stored hashed.
 */
export const twoFactorChallenges = sqliteTable(
  "two_factor_challenges",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    attempts: integer("attempts").notNull().default(0),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("two_factor_challenges_user_idx").on(t.userId)],
);

export type SessionRow = typeof sessions.$inferSelect;
