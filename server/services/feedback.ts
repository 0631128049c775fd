// Feedback as the customer and the relationship team see it: NPS, ratings and comments from the portal
// (the same storage and rules as the widget's), the history with the company's replies, the follow-up of
// unhappy answers (reply by mail, or turn into a request), and the analytics over all of it.
import { and, asc, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import {
  accounts,
  feedback,
  feedbackDaily,
  feedbackDailyKeys,
  feedbackReplies,
  orders,
  sites,
  users,
  type FeedbackDimension,
} from "../../db/schema";
import type { CustomerActor, StaffActor } from "../actor";
import { DomainError, notFound } from "../errors";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";
import { recordAudit } from "./audit";
import { afterCursor, decodeCursor, encodeCursor, type Cursor } from "./cursor";
import { actorName, insertRequest, noFiles } from "./requests";
import { scoreRule } from "./widget";

export const portalFeedbackInput = z
  .object({
    kind: z.enum(["nps", "rating", "comment"]),
    score: z.number().int().min(0).max(10).optional(),
    comment: z.string().trim().max(2000, { error: "widget.commentTooLong" }).optional(),
    orderId: z.string().min(1).max(64).optional(),
  })
  .superRefine(scoreRule);

/** A customer's NPS answer, comment, or rating of one of their account's delivered orders. */
export async function giveFeedback(
  db: Db,
  actor: CustomerActor,
  input: z.output<typeof portalFeedbackInput>,
  locale: string,
) {
  await db.transaction(async (tx) => {
    if (input.orderId) {
      const [order] = await tx
        .select({ status: orders.status })
        .from(orders)
        .where(and(eq(orders.id, input.orderId), eq(orders.accountId, actor.accountId)));
      if (!order) throw notFound();
      if (order.status !== "delivered" || input.kind !== "rating")
        throw new DomainError("BAD_REQUEST", "feedback.rateDelivered");
      // One rating per person and order: a second one replaces the first.
      await tx
        .delete(feedback)
        .where(and(eq(feedback.orderId, input.orderId), eq(feedback.userId, actor.userId)));
    }
    await tx.insert(feedback).values({
      id: newId(),
      kind: input.kind,
      score: input.kind === "comment" ? null : (input.score ?? null),
      comment: input.comment || null,
      userId: actor.userId,
      accountId: actor.accountId,
      orderId: input.orderId ?? null,
      locale,
      createdAt: Date.now(),
    });
  });
}

/** What the caller has sent, newest first, with the company's replies. */
export async function myFeedback(db: Db, actor: CustomerActor) {
  const rows = await db
    .select({
      id: feedback.id,
      kind: feedback.kind,
      score: feedback.score,
      comment: feedback.comment,
      createdAt: feedback.createdAt,
      orderNumber: orders.number,
    })
    .from(feedback)
    .leftJoin(orders, eq(orders.id, feedback.orderId))
    .where(eq(feedback.userId, actor.userId))
    .orderBy(desc(feedback.createdAt))
    .limit(100);
  const replies = rows.length
    ? await db
        .select()
        .from(feedbackReplies)
        .where(
          inArray(
            feedbackReplies.feedbackId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(feedbackReplies.createdAt))
    : [];
  return rows.map((r) => ({
    ...r,
    replies: replies
      .filter((x) => x.feedbackId === r.id)
      .map((x) => ({ authorName: x.authorName, body: x.body, createdAt: x.createdAt })),
  }));
}

/** The account's delivered orders the caller has not rated yet. */
export async function ordersToRate(db: Db, actor: CustomerActor) {
  return db
    .select({ id: orders.id, number: orders.number, placedAt: orders.placedAt })
    .from(orders)
    .where(
      and(
        eq(orders.accountId, actor.accountId),
        eq(orders.status, "delivered"),
        sql`not exists (select 1 from ${feedback} where ${feedback.orderId} = ${orders.id} and ${feedback.userId} = ${actor.userId})`,
      ),
    )
    .orderBy(desc(orders.placedAt))
    .limit(5);
}

/**
 * Unhappy answers: NPS detractors (0–6) and ratings or CSAT of 1–2. The same literal condition as the
 * partial index feedback_follow_up_idx (db/schema/feedback.ts), so the follow-up list reads only its rows.
 */
const unhappy = sql`((${feedback.kind} = 'nps' and ${feedback.score} <= 6) or (${feedback.kind} in ('rating', 'csat') and ${feedback.score} <= 2))`;

const after = (c: Cursor) => afterCursor(feedback.createdAt, feedback.id, c, "desc");

/** The cursor for the page after these rows. */
export const streamCursor = (row: { createdAt: number; id: string }) =>
  encodeCursor({ at: row.createdAt, id: row.id });

export const analyticsInput = z.object({
  from: z.number().int().nonnegative().optional(),
  to: z.number().int().nonnegative().optional(),
  siteId: z.string().max(64).optional(),
});
export const streamInput = analyticsInput.extend({
  /** Where the last page ended (keyset on time and id, so rows of the same millisecond are not skipped). */
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type AnalyticsInput = z.output<typeof analyticsInput>;

function filters(input: AnalyticsInput): SQL[] {
  const where: SQL[] = [];
  if (input.from !== undefined) where.push(gte(feedback.createdAt, input.from));
  if (input.to !== undefined) where.push(lt(feedback.createdAt, input.to));
  if (input.siteId) where.push(eq(feedback.siteId, input.siteId));
  return where;
}

const streamColumns = {
  id: feedback.id,
  kind: feedback.kind,
  score: feedback.score,
  comment: feedback.comment,
  createdAt: feedback.createdAt,
  locale: feedback.locale,
  pageUrl: feedback.pageUrl,
  productRef: feedback.productRef,
  accountId: feedback.accountId,
  accountName: accounts.name,
  userName: users.name,
  siteName: sites.name,
  followedUpAt: feedback.followedUpAt,
  followedUpByName: sql<
    string | null
  >`(select ${users.name} from ${users} where ${users.id} = ${feedback.followedUpBy})`,
  followUpRequestId: feedback.followUpRequestId,
};

export async function needsFollowUp(db: Db, _actor: StaffActor) {
  return db
    .select(streamColumns)
    .from(feedback)
    .leftJoin(accounts, eq(accounts.id, feedback.accountId))
    .leftJoin(users, eq(users.id, feedback.userId))
    .leftJoin(sites, eq(sites.id, feedback.siteId))
    .where(and(unhappy, isNull(feedback.followedUpAt)))
    .orderBy(desc(feedback.createdAt))
    .limit(100);
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * The filters' time range cut into whole UTC days, read from the rollups, and the ragged edges (a `from`
 * or `to` inside a day), read from the feedback rows themselves through feedback_created_idx or
 * feedback_site_idx: at most two partial days of rows, whatever the range.
 */
function rangeParts(input: AnalyticsInput) {
  const ceil = (ms: number) => Math.ceil(ms / DAY_MS) * DAY_MS;
  const floor = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
  const dayFrom = input.from === undefined ? undefined : ceil(input.from);
  const dayTo = input.to === undefined ? undefined : floor(input.to);
  if (dayFrom !== undefined && dayTo !== undefined && dayFrom >= dayTo) {
    // No whole day inside: the whole range is an edge.
    return { days: null, edges: [{ from: input.from, to: input.to }] };
  }
  const edges: { from: number | undefined; to: number | undefined }[] = [];
  if (input.from !== undefined && dayFrom! > input.from)
    edges.push({ from: input.from, to: dayFrom });
  if (input.to !== undefined && dayTo! < input.to) edges.push({ from: dayTo, to: input.to });
  return { days: { from: dayFrom, to: dayTo }, edges };
}

/** Buckets (day, site, kind, score, n) from feedback_daily and the edges' rows, as one subquery. */
function buckets(input: AnalyticsInput): SQL {
  const { days, edges } = rangeParts(input);
  const parts: SQL[] = [];
  if (days) {
    const where: SQL[] = [sql`1 = 1`];
    if (days.from !== undefined) where.push(sql`${feedbackDaily.day} >= ${days.from}`);
    if (days.to !== undefined) where.push(sql`${feedbackDaily.day} < ${days.to}`);
    if (input.siteId) where.push(sql`${feedbackDaily.siteId} = ${input.siteId}`);
    parts.push(
      sql`select ${feedbackDaily.day} as day, ${feedbackDaily.siteId} as site_id, ${feedbackDaily.kind} as kind, ${feedbackDaily.score} as score, ${feedbackDaily.n} as n from ${feedbackDaily} where ${sql.join(where, sql` and `)}`,
    );
  }
  for (const edge of edges) {
    parts.push(
      sql`select ${feedback.createdAt} - ${feedback.createdAt} % ${DAY_MS} as day, coalesce(${feedback.siteId}, '') as site_id, ${feedback.kind} as kind, coalesce(${feedback.score}, -1) as score, count(*) as n from ${feedback} where ${and(...filters({ ...edge, siteId: input.siteId }))} group by 1, 2, 3, 4`,
    );
  }
  return sql.join(parts, sql` union all `);
}

/** One breakdown (page, product or locale): its ten most frequent named values with their average score. */
function keyBreakdown(db: Db, dimension: FeedbackDimension, input: AnalyticsInput) {
  const column = { page: feedback.pageUrl, product: feedback.productRef, locale: feedback.locale }[
    dimension
  ];
  const { days, edges } = rangeParts(input);
  const k = feedbackDailyKeys;
  const parts: SQL[] = [];
  if (days) {
    const where: SQL[] = [sql`${k.dimension} = ${dimension}`];
    if (days.from !== undefined) where.push(sql`${k.day} >= ${days.from}`);
    if (days.to !== undefined) where.push(sql`${k.day} < ${days.to}`);
    if (input.siteId) where.push(sql`${k.siteId} = ${input.siteId}`);
    parts.push(
      sql`select ${k.value} as value, ${k.n} as n, ${k.scoreSum} as score_sum, ${k.scoreCount} as score_count from ${k} where ${sql.join(where, sql` and `)}`,
    );
  }
  for (const edge of edges) {
    parts.push(
      sql`select ${column} as value, count(*) as n, coalesce(sum(${feedback.score}), 0) as score_sum, count(${feedback.score}) as score_count from ${feedback} where ${and(...filters({ ...edge, siteId: input.siteId }), sql`${column} <> ''`)} group by 1`,
    );
  }
  return breakdownOf(
    db,
    sql`select value as key, n, score_sum, score_count from (${sql.join(parts, sql` union all `)})`,
  );
}

/** Ten keys with the most answers (ties by key), with the average of their scores to one decimal. */
async function breakdownOf(db: Db, rows: SQL) {
  const result = await db.all<{ key: string | null; n: number; average: number | null }>(
    sql`select key, sum(n) as n, case when sum(score_count) > 0 then round(cast(sum(score_sum) as real) / sum(score_count), 1) end as average from (${rows}) group by key order by 2 desc, 1 limit 10`,
  );
  return result.map((r) => ({ key: r.key, n: Number(r.n), average: r.average }));
}

/**
 * NPS, CSAT share, rating distribution, a weekly trend and breakdowns, for the filters given. Read from
 * the daily rollups (db/schema/rollups.ts), so 90 days cost a few thousand rollup rows, not every answer.
 */
export async function feedbackAnalytics(db: Db, _actor: StaffActor, input: AnalyticsInput) {
  const source = buckets(input);
  const [perDay, bySite, byPage, byProduct, byLocale] = await Promise.all([
    db.all<{ day: number; kind: string; score: number; n: number }>(
      sql`select day, kind, score, sum(n) as n from (${source}) group by 1, 2, 3`,
    ),
    breakdownOf(
      db,
      sql`select coalesce(${sites.name}, 'Portal') as key, b.n as n, case when b.score >= 0 then b.score * b.n else 0 end as score_sum, case when b.score >= 0 then b.n else 0 end as score_count from (${source}) b left join ${sites} on ${sites.id} = b.site_id`,
    ),
    keyBreakdown(db, "page", input),
    keyBreakdown(db, "product", input),
    keyBreakdown(db, "locale", input),
  ]);
  const nps = { promoters: 0, passives: 0, detractors: 0 };
  const csat = { satisfied: 0, total: 0 };
  const ratings = new Map<number, number>();
  const weeks = new Map<
    number,
    { responses: number; promoters: number; detractors: number; nps: number }
  >();
  for (const row of perDay) {
    const n = Number(row.n);
    const day = Number(row.day);
    const score = Number(row.score);
    const week = Math.floor(day / WEEK_MS) * WEEK_MS;
    const w = weeks.get(week) ?? { responses: 0, promoters: 0, detractors: 0, nps: 0 };
    weeks.set(week, w);
    w.responses += n;
    if (row.kind === "nps") {
      w.nps += n;
      // Scores are 0–10; -1 stands for none and counts in no bucket.
      if (score >= 9) {
        nps.promoters += n;
        w.promoters += n;
      } else if (score >= 7) nps.passives += n;
      else if (score >= 0) {
        nps.detractors += n;
        w.detractors += n;
      }
    } else if (row.kind === "csat") {
      csat.total += n;
      if (score >= 4) csat.satisfied += n;
    } else if (row.kind === "rating") {
      ratings.set(score, (ratings.get(score) ?? 0) + n);
    }
  }
  const npsTotal = nps.promoters + nps.passives + nps.detractors;
  return {
    nps: {
      ...nps,
      total: npsTotal,
      score: npsTotal ? Math.round(((nps.promoters - nps.detractors) / npsTotal) * 100) : null,
    },
    csat,
    ratings: [1, 2, 3, 4, 5].map((score) => ({ score, n: ratings.get(score) ?? 0 })),
    trend: [...weeks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([week, w]) => ({
        week,
        responses: w.responses,
        nps: w.nps ? Math.round(((w.promoters - w.detractors) / w.nps) * 100) : null,
      })),
    bySite,
    byPage: byPage.filter((r) => r.key),
    byProduct: byProduct.filter((r) => r.key),
    byLocale: byLocale.filter((r) => r.key),
  };
}

/** The comment stream: newest first, with the same filters, a page at a time. */
export function feedbackStream(
  db: Db,
  _actor: StaffActor,
  { cursor, limit, ...input }: z.output<typeof streamInput>,
) {
  return db
    .select(streamColumns)
    .from(feedback)
    .leftJoin(accounts, eq(accounts.id, feedback.accountId))
    .leftJoin(users, eq(users.id, feedback.userId))
    .leftJoin(sites, eq(sites.id, feedback.siteId))
    .where(and(...filters(input), cursor === undefined ? undefined : after(decodeCursor(cursor))))
    .orderBy(desc(feedback.createdAt), desc(feedback.id))
    .limit(limit);
}

export const followUpInput = z.object({
  id: z.string().min(1).max(64),
  message: z
    .string()
    .trim()
    .min(1, { error: "requests.messageRequired" })
    .max(5000, { error: "requests.messageTooLong" }),
});

async function feedbackWithPerson(
  db: Db | Parameters<Parameters<Db["transaction"]>[0]>[0],
  id: string,
) {
  const [row] = await db
    .select({
      id: feedback.id,
      kind: feedback.kind,
      score: feedback.score,
      comment: feedback.comment,
      accountId: feedback.accountId,
      siteId: feedback.siteId,
      userId: users.id,
      email: users.email,
      name: users.name,
      locale: users.locale,
    })
    .from(feedback)
    .leftJoin(users, eq(users.id, feedback.userId))
    .where(eq(feedback.id, id));
  if (!row) throw notFound();
  return row;
}

/** A reply to a known customer's feedback: mailed, shown in their history, and the feedback followed up. */
export async function replyToFeedback(
  db: Db,
  actor: StaffActor,
  input: z.output<typeof followUpInput>,
  publicUrl: URL,
) {
  await db.transaction(async (tx) => {
    const item = await feedbackWithPerson(tx, input.id);
    if (!item.userId || !item.email)
      throw new DomainError("BAD_REQUEST", "feedback.unknownCustomer");
    const me = await actorName(tx, actor);
    const now = Date.now();
    await tx.insert(feedbackReplies).values({
      id: newId(),
      feedbackId: item.id,
      authorId: actor.userId,
      authorName: me.name,
      body: input.message,
      createdAt: now,
    });
    await tx
      .update(feedback)
      .set({ followedUpAt: now, followedUpBy: actor.userId })
      .where(eq(feedback.id, item.id));
    await recordAudit(tx, actor, followedUp(item, { by: "reply" }));
    const url = new URL("/feedback", publicUrl).href;
    await enqueueMail(
      tx,
      renderMail("feedbackReply", item.locale ?? "en", item.email, {
        name: item.name ?? "",
        url,
        quote: input.message,
      }),
    );
  });
}

const followedUp = (item: { id: string; accountId: string | null }, detail: { by: string }) =>
  ({
    action: "feedback.followed_up",
    subject: { type: "feedback", id: item.id },
    accountId: item.accountId,
    detail,
  }) as const;

/** Turns feedback into a request in the inbox, linked both ways. */
export async function feedbackToRequest(db: Db, actor: StaffActor, id: string) {
  return db.transaction(async (tx) => {
    const item = await feedbackWithPerson(tx, id);
    if (!item.accountId) throw new DomainError("BAD_REQUEST", "feedback.unknownCustomer");
    const [existing] = await tx
      .select({ requestId: feedback.followUpRequestId })
      .from(feedback)
      .where(eq(feedback.id, id));
    if (existing?.requestId) return { requestId: existing.requestId };
    const name = item.name ?? "—";
    const { id: requestId } = await insertRequest(
      tx,
      {
        accountId: item.accountId,
        requesterId: item.userId,
        requesterName: name,
        requesterEmail: item.email,
        subject: `${item.kind.toUpperCase()} ${item.score ?? ""}: ${(item.comment ?? "").slice(0, 80) || "—"}`,
        channel: item.siteId ? "widget" : "portal",
        priority: "high",
      },
      { id: item.userId, name },
      item.comment || "—",
      noFiles,
    );
    const now = Date.now();
    await tx
      .update(feedback)
      .set({ followedUpAt: now, followedUpBy: actor.userId, followUpRequestId: requestId })
      .where(eq(feedback.id, id));
    await recordAudit(tx, actor, followedUp(item, { by: "request" }));
    return { requestId };
  });
}
