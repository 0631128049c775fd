// Feedback as the customer and the relationship team see it: NPS, ratings and comments from the portal
// (the same storage and rules as the widget's), the history with the company's replies, the follow-up of
// unhappy answers (reply by mail, or turn into a request), and the analytics over all of it.
import { and, asc, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import {
  accounts,
  feedback,
  feedbackDaily,
  feedbackDailyKeys,
  feedbackReplies,
  feedbackWeekly,
  feedbackWeeklyKeys,
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

type Bound = number | undefined;
/** A part of the range: added, or taken away (-1) where a whole day or week was read for less of it. */
interface Piece {
  from: Bound;
  to: Bound;
  sign: 1 | -1;
}
/** The filters' range as whole weeks, signed whole days and signed feedback rows: see rangePieces. */
export interface RangePieces {
  weeks: { from: Bound; to: Bound } | null;
  days: Piece[];
  rows: Piece[];
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/**
 * The two ways to square a ragged end of the range (`at`, inside a day or week) to the unit: move it in
 * to the unit's boundary inside the range and add what lies between, or out to the boundary beyond it,
 * read the whole unit and take the overshoot away.
 */
function squarings(at: number, unit: number, isStart: boolean) {
  const inward = isStart ? ceilTo(at, unit) : floorTo(at, unit);
  const outward = isStart ? floorTo(at, unit) : ceilTo(at, unit);
  const between = (a: number, b: number, sign: 1 | -1): Piece =>
    a < b ? { from: a, to: b, sign } : { from: b, to: a, sign };
  return [
    { at: inward, piece: between(at, inward, 1) },
    { at: outward, piece: between(at, outward, -1) },
  ] as const;
}
const span = (p: Piece) => p.to! - p.from!;

/** Feedback rows per piece are counted through an index up to EDGE_CAP: enough to tell the smaller side. */
const EDGE_CAP = 1000;

/** The rows in each piece (up to EDGE_CAP), and the time of the newest feedback (null if none). */
async function rowFacts(db: Db, pieces: Piece[], siteId: string | undefined) {
  const columns = [
    sql`(select max(${feedback.createdAt}) from ${feedback}${siteId ? sql` where ${feedback.siteId} = ${siteId}` : sql``}) as newest`,
    ...pieces.map(
      (p, i) =>
        sql`(select count(*) from (select 1 from ${feedback} where ${and(...filters({ ...p, siteId }))} limit ${EDGE_CAP})) as ${sql.identifier(`c${i}`)}`,
    ),
  ];
  const [row] = await db.all<Record<string, number | null>>(
    sql`select ${sql.join(columns, sql`, `)}`,
  );
  return {
    counts: pieces.map((_, i) => Number(row![`c${i}`])),
    newest: row!.newest === null ? null : Number(row!.newest),
  };
}

/**
 * The filters' range cut so that little of it is read: whole epoch weeks from feedback_weekly(_keys), the
 * days at its ends from feedback_daily(_keys), the parts of days at its ends from the feedback rows. Each
 * ragged end is squared the cheaper way, adding the part inside the range or reading the whole unit and
 * taking away the part outside: a range that ends now takes away the (no) rows after now rather than
 * reading all of today's, and a week but two days is read whole less two days. The pieces' counts, with
 * their signs, sum exactly to the range's.
 */
export async function rangePieces(db: Db, input: AnalyticsInput): Promise<RangePieces> {
  const { from, to } = input;
  const whole = { weeks: null, days: [], rows: [{ from, to, sign: 1 as const }] };
  // Inside one day, or empty: its rows as they are.
  if (from !== undefined && to !== undefined && ceilTo(from, DAY_MS) > floorTo(to, DAY_MS))
    return whole;

  // Parts of days: per ragged end, the side with fewer rows.
  const dayEnds = [
    from !== undefined && from % DAY_MS ? squarings(from, DAY_MS, true) : null,
    to !== undefined && to % DAY_MS ? squarings(to, DAY_MS, false) : null,
  ];
  const candidates = dayEnds.flatMap((end) => (end ? end.map((c) => c.piece) : []));
  const { counts, newest } = await rowFacts(db, candidates, input.siteId);
  const rows: Piece[] = [];
  const dayRange = { from, to };
  for (const [i, end] of dayEnds.entries()) {
    if (!end) continue;
    const [inward, outward] = counts.splice(0, 2) as [number, number];
    // Both at the cap says nothing: then the shorter span.
    const out = outward < inward || (outward === inward && span(end[1].piece) < span(end[0].piece));
    const chosen = end[out ? 1 : 0];
    rows.push(chosen.piece);
    dayRange[i === 0 ? "from" : "to"] = chosen.at;
  }

  // Days: per ragged end, the side with fewer rollup rows. A week holds about as many as a day (the same
  // pages and products come back every day), so reading one more week pays when it saves two days; days
  // after the newest feedback hold none (a range to the end of today takes the rest of the week away).
  const dataEnd = newest === null ? -Infinity : floorTo(newest, DAY_MS) + DAY_MS;
  const cost = (p: Piece) => Math.max(0, Math.min(p.to!, dataEnd) - p.from!);
  const days: Piece[] = [];
  const weekRange = { ...dayRange };
  const weekEnds = [
    dayRange.from !== undefined && dayRange.from % WEEK_MS
      ? squarings(dayRange.from, WEEK_MS, true)
      : null,
    dayRange.to !== undefined && dayRange.to % WEEK_MS
      ? squarings(dayRange.to, WEEK_MS, false)
      : null,
  ];
  for (const [i, end] of weekEnds.entries()) {
    if (!end) continue;
    const out = cost(end[1].piece) + DAY_MS < cost(end[0].piece);
    const chosen = end[out ? 1 : 0];
    days.push(chosen.piece);
    weekRange[i === 0 ? "from" : "to"] = chosen.at;
  }
  if (weekRange.from !== undefined && weekRange.to !== undefined) {
    // Both ends inside one week: its days as they are.
    if (weekRange.from > weekRange.to)
      return { weeks: null, days: [{ ...dayRange, sign: 1 }], rows };
    if (weekRange.from === weekRange.to) return { weeks: null, days, rows };
  }
  return { weeks: weekRange, days, rows };
}

/** `1 = 1`, the piece's time range on `column`, and the site. */
function rollupWhere(
  column: AnySQLiteColumn,
  siteColumn: AnySQLiteColumn,
  piece: { from: Bound; to: Bound },
  siteId: string | undefined,
): SQL {
  const where: SQL[] = [sql`1 = 1`];
  if (piece.from !== undefined) where.push(sql`${column} >= ${piece.from}`);
  if (piece.to !== undefined) where.push(sql`${column} < ${piece.to}`);
  if (siteId) where.push(sql`${siteColumn} = ${siteId}`);
  return sql.join(where, sql` and `);
}

/** Buckets (week, site, kind, score, n) over the pieces, as one subquery; n is signed. */
function buckets(pieces: RangePieces, siteId: string | undefined): SQL {
  const w = feedbackWeekly;
  const d = feedbackDaily;
  const members: SQL[] = [];
  if (pieces.weeks)
    members.push(
      sql`select ${w.week} as week, ${w.siteId} as site_id, ${w.kind} as kind, ${w.score} as score, ${w.n} as n from ${w} where ${rollupWhere(w.week, w.siteId, pieces.weeks, siteId)}`,
    );
  for (const p of pieces.days)
    members.push(
      sql`select ${d.day} - ${d.day} % ${WEEK_MS} as week, ${d.siteId} as site_id, ${d.kind} as kind, ${d.score} as score, ${d.n} * ${p.sign} as n from ${d} where ${rollupWhere(d.day, d.siteId, p, siteId)}`,
    );
  for (const p of pieces.rows)
    members.push(
      sql`select ${feedback.createdAt} - ${feedback.createdAt} % ${WEEK_MS} as week, coalesce(${feedback.siteId}, '') as site_id, ${feedback.kind} as kind, coalesce(${feedback.score}, -1) as score, count(*) * ${p.sign} as n from ${feedback} where ${and(...filters({ ...p, siteId }))} group by 1, 2, 3, 4`,
    );
  return sql.join(members, sql` union all `);
}

/** One breakdown (page, product or locale): its ten most frequent named values with their average score. */
function keyBreakdown(
  db: Db,
  dimension: FeedbackDimension,
  pieces: RangePieces,
  siteId: string | undefined,
) {
  const column = { page: feedback.pageUrl, product: feedback.productRef, locale: feedback.locale }[
    dimension
  ];
  const w = feedbackWeeklyKeys;
  const d = feedbackDailyKeys;
  const members: SQL[] = [];
  if (pieces.weeks)
    members.push(
      sql`select ${w.value} as key, ${w.n} as n, ${w.scoreSum} as score_sum, ${w.scoreCount} as score_count from ${w} where ${w.dimension} = ${dimension} and ${rollupWhere(w.week, w.siteId, pieces.weeks, siteId)}`,
    );
  for (const p of pieces.days)
    members.push(
      sql`select ${d.value} as key, ${d.n} * ${p.sign} as n, ${d.scoreSum} * ${p.sign} as score_sum, ${d.scoreCount} * ${p.sign} as score_count from ${d} where ${d.dimension} = ${dimension} and ${rollupWhere(d.day, d.siteId, p, siteId)}`,
    );
  for (const p of pieces.rows)
    members.push(
      sql`select ${column} as key, count(*) * ${p.sign} as n, coalesce(sum(${feedback.score}), 0) * ${p.sign} as score_sum, count(${feedback.score}) * ${p.sign} as score_count from ${feedback} where ${and(...filters({ ...p, siteId }), sql`${column} <> ''`)} group by 1`,
    );
  return breakdownOf(db, sql.join(members, sql` union all `));
}

/**
 * Ten keys with the most answers (ties by key), with the average of their scores to one decimal. Parts
 * taken away can leave a key at nothing: it had no answer in the range, so it is not listed.
 */
async function breakdownOf(db: Db, rows: SQL) {
  const result = await db.all<{ key: string | null; n: number; average: number | null }>(
    sql`select key, sum(n) as n, case when sum(score_count) > 0 then round(cast(sum(score_sum) as real) / sum(score_count), 1) end as average from (${rows}) group by key having sum(n) <> 0 order by 2 desc, 1 limit 10`,
  );
  return result.map((r) => ({ key: r.key, n: Number(r.n), average: r.average }));
}

/**
 * NPS, CSAT share, rating distribution, a weekly trend and breakdowns, for the filters given. Read from
 * the weekly and daily rollups (db/schema/rollups.ts) cut as rangePieces says, so 90 days cost about
 * fifteen weeks' and days' rollup rows, not every answer.
 */
export async function feedbackAnalytics(db: Db, _actor: StaffActor, input: AnalyticsInput) {
  const pieces = await rangePieces(db, input);
  const source = buckets(pieces, input.siteId);
  const [perWeek, bySite, byPage, byProduct, byLocale] = await Promise.all([
    db.all<{ week: number; kind: string; score: number; n: number }>(
      sql`select week, kind, score, sum(n) as n from (${source}) group by 1, 2, 3 having sum(n) <> 0`,
    ),
    breakdownOf(
      db,
      sql`select coalesce(${sites.name}, 'Portal') as key, b.n as n, case when b.score >= 0 then b.score * b.n else 0 end as score_sum, case when b.score >= 0 then b.n else 0 end as score_count from (${source}) b left join ${sites} on ${sites.id} = b.site_id`,
    ),
    keyBreakdown(db, "page", pieces, input.siteId),
    keyBreakdown(db, "product", pieces, input.siteId),
    keyBreakdown(db, "locale", pieces, input.siteId),
  ]);
  const nps = { promoters: 0, passives: 0, detractors: 0 };
  const csat = { satisfied: 0, total: 0 };
  const ratings = new Map<number, number>();
  const weeks = new Map<
    number,
    { responses: number; promoters: number; detractors: number; nps: number }
  >();
  for (const row of perWeek) {
    const n = Number(row.n);
    const week = Number(row.week);
    const score = Number(row.score);
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
