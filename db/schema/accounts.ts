// Accounts and the people who sign in. An account is a person or a business; every user of a business
// account (its contacts) sees what belongs to the account. Staff users have no account.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const accountKinds = ["person", "business"] as const;
export type AccountKind = (typeof accountKinds)[number];

export const roles = ["customer", "agent", "admin"] as const;
export type Role = (typeof roles)[number];

export const locales = ["en", "is"] as const;
export type Locale = (typeof locales)[number];

export const accounts = sqliteTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: accountKinds }).notNull(),
    name: text("name").notNull(),
    // The id of this customer in the company's shop or ERP; null for accounts made by signing up.
    externalId: text("external_id").unique(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [check("accounts_kind_check", sql`${t.kind} in ('person', 'business')`)],
);

/**
 * The people the company's systems list for an account. A user whose verified email matches a contact
 * belongs to that contact's account; an admin contact may see and invite the account's contacts.
 */
export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    // Lower-cased; one email belongs to one account, so attaching a user is never ambiguous.
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    isAdmin: integer("is_admin", { mode: "boolean" }).notNull().default(false),
    // Who listed the contact: the company's systems replace their own list, never the portal's invites.
    source: text("source", { enum: ["ingest", "portal"] }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("contacts_account_id_idx").on(t.accountId)],
);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    // Null for staff; required for customers (enforced by the check below).
    accountId: text("account_id").references(() => accounts.id, { onDelete: "restrict" }),
    // Stored lower-cased, so the unique constraint is case-insensitive.
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: roles }).notNull(),
    // Null until the person picks a language; then it wins over cookie and browser.
    locale: text("locale", { enum: locales }),
    emailVerifiedAt: integer("email_verified_at"),
    // Communication preferences: when consent was given, null when not (or withdrawn).
    newsletterConsentAt: integer("newsletter_consent_at"),
    surveyConsentAt: integer("survey_consent_at"),
    // Staff: mailed on every new request when set; deactivated staff cannot sign in.
    notifyNewRequests: integer("notify_new_requests", { mode: "boolean" }).notNull().default(false),
    deactivatedAt: integer("deactivated_at"),
    // Two-factor sign-in (RFC 6238 TOTP): the shared key (base32), and when enrolment was confirmed.
    // A key without a confirmation time is an enrolment in progress and is not asked for at sign-in.
    totpSecret: text("totp_secret"),
    totpEnabledAt: integer("totp_enabled_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("users_account_id_idx").on(t.accountId),
    check("users_email_lower_check", sql`${t.email} = lower(${t.email})`),
    check("users_role_check", sql`${t.role} in ('customer', 'agent', 'admin')`),
    check("users_locale_check", sql`${t.locale} is null or ${t.locale} in ('en', 'is')`),
    check(
      "users_customer_account_check",
      sql`(${t.role} = 'customer') = (${t.accountId} is not null)`,
    ),
  ],
);

/** One-time codes for signing in when the authenticator is lost; stored as SHA-256, each used once. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);

export type AccountRow = typeof accounts.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
