// Feedback from every channel: CSAT after a request now; widget ratings, NPS and comments to come.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts, users } from "./accounts";
import { orders } from "./orders";
import { requests } from "./requests";
import { sites } from "./sites";

export const feedbackKinds = ["nps", "csat", "rating", "comment"] as const;

/**
 * NPS detractors (0–6) and ratings or CSAT of 1–2. Literal SQL (no parameters): the follow-up list in
 * server/services/feedback.ts writes the same condition, so SQLite uses the partial index below.
 */
const unhappyFeedback = sql`((kind = 'nps' and score <= 6) or (kind in ('rating', 'csat') and score <= 2))`;

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
    // "How was your order?" names the order it is about.
    orderId: text("order_id").references(() => orders.id, { onDelete: "set null" }),
    // Follow-up by the relationship team: who, when, and the request it became, if any.
    followedUpAt: integer("followed_up_at"),
    followedUpBy: text("followed_up_by").references(() => users.id, { onDelete: "set null" }),
    followUpRequestId: text("follow_up_request_id").references(() => requests.id, {
      onDelete: "set null",
    }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("feedback_request_idx").on(t.requestId),
    index("feedback_account_idx").on(t.accountId, t.createdAt),
    // The stream's keyset pages: time, then id for rows of the same millisecond.
    index("feedback_created_idx").on(t.createdAt, t.id),
    index("feedback_site_idx").on(t.siteId, t.createdAt, t.id),
    // A person's own feedback (history, orders still to rate, data export).
    index("feedback_user_idx").on(t.userId, t.createdAt),
    // Unhappy answers nobody has followed up yet: few rows, read newest first.
    index("feedback_follow_up_idx")
      .on(t.createdAt)
      .where(sql`${unhappyFeedback} and followed_up_at is null`),
  ],
);

/** The company's answers to feedback, mailed to the customer and shown in their portal history. */
export const feedbackReplies = sqliteTable(
  "feedback_replies",
  {
    id: text("id").primaryKey(),
    feedbackId: text("feedback_id")
      .notNull()
      .references(() => feedback.id, { onDelete: "cascade" }),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    authorName: text("author_name").notNull(),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("feedback_replies_feedback_idx").on(t.feedbackId, t.createdAt)],
);
