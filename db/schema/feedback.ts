// Feedback from every channel: CSAT after a request now; widget ratings, NPS and comments to come.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts, users } from "./accounts";
import { requests } from "./requests";
import { sites } from "./sites";

export const feedbackKinds = ["nps", "csat", "rating", "comment"] as const;

export const feedback = sqliteTable(
  "feedback",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: feedbackKinds }).notNull(),
    score: integer("score"),
    comment: text("comment"),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    accountId: text("account_id").references(() => accounts.id, { onDelete: "set null" }),
    requestId: text("request_id").references(() => requests.id, { onDelete: "cascade" }),
    locale: text("locale"),
    siteId: text("site_id").references(() => sites.id, { onDelete: "set null" }),
    pageUrl: text("page_url"),
    pageTitle: text("page_title"),
    productRef: text("product_ref"),
    userAgent: text("user_agent"),
    // The widget's key for one submission: retries after a lost answer are stored once.
    idempotencyKey: text("idempotency_key").unique(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("feedback_request_idx").on(t.requestId),
    index("feedback_account_idx").on(t.accountId, t.createdAt),
  ],
);
