// Sites: the company's web pages that embed the widget. Each has a public key (in the snippet), the
// origins allowed to send from it, an identity secret for signed visitor identities, and its look.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
  // Switched off by an admin: the widget door answers 403 and the loader hides the widget.
  disabledAt: integer("disabled_at"),
  createdAt: integer("created_at").notNull(),
});

export const widgetBlockKinds = ["ip", "visitor"] as const;

/** An IP address or identified visitor an admin has barred from a site's widget until a given time. */
export const widgetBlocks = sqliteTable(
  "widget_blocks",
  {
    id: text("id").primaryKey(),
    siteId: text("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: widgetBlockKinds }).notNull(),
    // The IP address, or the visitor id the company's server signed.
    value: text("value").notNull(),
    until: integer("until").notNull(),
    reason: text("reason"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("widget_blocks_lookup_idx").on(t.siteId, t.kind, t.value, t.until)],
);

export type SiteRow = typeof sites.$inferSelect;
