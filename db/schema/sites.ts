// Sites: the company's web pages that embed the widget. Each has a public key (in the snippet), the
// origins allowed to send from it, an identity secret for signed visitor identities, and its look.
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const sites = sqliteTable("sites", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  publicKey: text("public_key").notNull().unique(),
  // HMAC key the company's server uses to sign visitor ids (userHash); shown to admins, never to visitors.
  identitySecret: text("identity_secret").notNull(),
  allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>().notNull(),
  allowAnonymous: integer("allow_anonymous", { mode: "boolean" }).notNull().default(true),
  color: text("color").notNull().default("#0f5b66"),
  position: text("position", { enum: ["right", "left"] })
    .notNull()
    .default("right"),
  createdAt: integer("created_at").notNull(),
});

export type SiteRow = typeof sites.$inferSelect;
