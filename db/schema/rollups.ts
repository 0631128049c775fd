// Rollups: counts kept by triggers (migration 0007) in the same transaction as every write to the rows
// they count, whoever writes (services, ingest, the scale seed's plain INSERTs). The analytics, inbox
// counts and staff home read these few rows instead of counting millions.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Feedback per UTC day, site, kind and score: every NPS, CSAT and rating figure derives from it. */
export const feedbackDaily = sqliteTable(
  "feedback_daily",
  {
    /** Start of the UTC day, epoch ms. */
    day: integer("day").notNull(),
    /** '' for feedback without a site (the portal): a primary key column cannot match NULL. */
    siteId: text("site_id").notNull(),
    kind: text("kind").notNull(),
    /** -1 for feedback without a score (comments). */
    score: integer("score").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.siteId, t.kind, t.score] })],
);

export const feedbackDimensions = ["page", "product", "locale"] as const;
export type FeedbackDimension = (typeof feedbackDimensions)[number];

/** Feedback per UTC day and site for each page, product and locale named (empty ones are not kept). */
export const feedbackDailyKeys = sqliteTable(
  "feedback_daily_keys",
  {
    dimension: text("dimension", { enum: feedbackDimensions }).notNull(),
    day: integer("day").notNull(),
    siteId: text("site_id").notNull(),
    value: text("value").notNull(),
    n: integer("n").notNull(),
    /** Sum and number of the scores given (comments have none), for the average. */
    scoreSum: integer("score_sum").notNull(),
    scoreCount: integer("score_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.dimension, t.day, t.siteId, t.value] })],
);

/**
 * The same counts per epoch week (the analytics trend's weeks, `created_at - created_at % 604800000`),
 * kept by migration 0009's triggers: a range of months reads one row per week and bucket, and days only
 * for the partial weeks at its ends (server/services/feedback.ts, rangePieces).
 */
export const feedbackWeekly = sqliteTable(
  "feedback_weekly",
  {
    /** Start of the UTC epoch week (a Thursday), epoch ms. */
    week: integer("week").notNull(),
    siteId: text("site_id").notNull(),
    kind: text("kind").notNull(),
    score: integer("score").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.week, t.siteId, t.kind, t.score] })],
);

/** feedback_daily_keys per UTC epoch week. */
export const feedbackWeeklyKeys = sqliteTable(
  "feedback_weekly_keys",
  {
    dimension: text("dimension", { enum: feedbackDimensions }).notNull(),
    week: integer("week").notNull(),
    siteId: text("site_id").notNull(),
    value: text("value").notNull(),
    n: integer("n").notNull(),
    scoreSum: integer("score_sum").notNull(),
    scoreCount: integer("score_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.dimension, t.week, t.siteId, t.value] })],
);

/**
 * feedback_daily_keys per four epoch weeks (`created_at - created_at % 2419200000`), for the breakdowns,
 * which need no weekly trend: a quarter is three of these and a few weeks, a year thirteen.
 */
export const feedbackFourWeeklyKeys = sqliteTable(
  "feedback_four_weekly_keys",
  {
    dimension: text("dimension", { enum: feedbackDimensions }).notNull(),
    /** Start of the four weeks, epoch ms (a multiple of 28 days from the epoch). */
    start: integer("start").notNull(),
    siteId: text("site_id").notNull(),
    value: text("value").notNull(),
    n: integer("n").notNull(),
    scoreSum: integer("score_sum").notNull(),
    scoreCount: integer("score_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.dimension, t.start, t.siteId, t.value] })],
);

/** Requests per status and assignee ('' for unassigned): the inbox's view counts. */
export const requestCounts = sqliteTable(
  "request_counts",
  {
    status: text("status").notNull(),
    assigneeId: text("assignee_id").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.status, t.assigneeId] })],
);

/** Accounts per kind ("account:person") and users per role ("user:customer"), for the staff home. */
export const directoryCounts = sqliteTable("directory_counts", {
  key: text("key").primaryKey(),
  n: integer("n").notNull(),
});
