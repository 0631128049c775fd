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
  feedbackFourWeeklyKeys,
  feedbackReplies,
  feedbackWeekly,
  feedbackWeeklyKeys,
  orders,
  sites,
  users,
  feedbackDimensions,
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
import { dateRangeFields, rangeInOrder } from "./date-range";

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

const analyticsFields = {
  ...dateRangeFields,
  siteId: z.string().max(64).optional(),
};
export const analyticsInput = rangeInOrder(z.object(analyticsFields));
export const streamInput = rangeInOrder(
  z.object({
    ...analyticsFields,
    /** Where the last page ended (keyset on time and id, so rows of the same millisecond are not skipped). */
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(500).default(50),
    /** The first page of a CSV download, which the audit log records. */
    forExport: z.boolean().optional(),
  }),
);
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
 * Where a piece of the range is read: 0 the feedback rows, 1 the daily rollups, 7 the weekly ones, 28
 * the four-weekly ones (breakdowns only: the trend needs weeks). A tier's periods start at multiples of
 * its length from the epoch, so each tier's boundaries are also the finer tiers'.
 */
type Tier = 0 | 1 | 7 | 28;
type Bound = number | undefined;
/** A part of the range read from one tier: added, or taken away (-1) where a whole period was read. */
export interface Piece {
  tier: Tier;
  from: Bound;
  to: Bound;
  sign: 1 | -1;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/**
 * The two ways to square a ragged end of a range (`at`, inside a period of `unit`): move it in to the
 * period's boundary inside the range and add what lies between, or out to the boundary beyond it, read
 * the whole period and take the overshoot away.
 */
function squarings(at: number, unit: number, isStart: boolean, tier: Tier) {
  const inward = isStart ? ceilTo(at, unit) : floorTo(at, unit);
  const outward = isStart ? floorTo(at, unit) : ceilTo(at, unit);
  const between = (a: number, b: number, sign: 1 | -1): Piece =>
    a < b ? { tier, from: a, to: b, sign } : { tier, from: b, to: a, sign };
  return [
    { at: inward, piece: between(at, inward, 1) },
    { at: outward, piece: between(at, outward, -1) },
  ] as const;
}

/** What the cheaper way to square each end is decided on. */
interface RangeFacts {
  /** Per ragged day end (start, then end): whether the part of its day outside the range has fewer rows. */
  outwardSmaller: boolean[];
  /** The newest feedback's time: periods after it hold no rollup rows. */
  newest: number | null;
}

const dayEnds = ({ from, to }: AnalyticsInput) => [
  from !== undefined && from % DAY_MS ? squarings(from, DAY_MS, true, 0) : null,
  to !== undefined && to % DAY_MS ? squarings(to, DAY_MS, false, 0) : null,
];

/**
 * One statement: the newest feedback, and for each ragged day end the rows of its day outside the range,
 * counted through an index but only up to half the day's total (from feedback_daily): past that, the
 * part inside the range is the smaller, whatever the exact count.
 */
export async function rangeFacts(db: Db, input: AnalyticsInput): Promise<RangeFacts> {
  const { siteId } = input;
  const site = (column: AnySQLiteColumn) => (siteId ? sql` and ${column} = ${siteId}` : sql``);
  const ends = dayEnds(input).filter((end) => end !== null);
  const columns = [
    sql`(select max(${feedback.createdAt}) from ${feedback} where 1 = 1${site(feedback.siteId)}) as newest`,
    ...ends.flatMap(([, outward], i) => {
      const day = floorTo(outward.piece.from!, DAY_MS);
      const total = sql`(select coalesce(sum(${feedbackDaily.n}), 0) from ${feedbackDaily} where ${feedbackDaily.day} = ${day}${site(feedbackDaily.siteId)})`;
      return [
        sql`${total} as ${sql.identifier(`total${i}`)}`,
        sql`(select count(*) from (select 1 from ${feedback} where ${and(...filters({ ...outward.piece, siteId }))} limit ${total} / 2 + 1)) as ${sql.identifier(`outward${i}`)}`,
      ];
    }),
  ];
  const [row] = await db.all<Record<string, number | null>>(
    sql`select ${sql.join(columns, sql`, `)}`,
  );
  return {
    outwardSmaller: ends.map((_, i) => {
      const outward = Number(row![`outward${i}`]);
      return outward < Number(row![`total${i}`]) - outward;
    }),
    newest: row!.newest === null ? null : Number(row!.newest),
  };
}

/**
 * The filters' range cut so that little of it is read: whole periods of the coarsest tier up to
 * `coarsest`, and at each end, tier by tier down to the feedback rows, what squares it to the next
 * coarser tier. Each ragged end is squared the cheaper way, adding the part inside the range or reading
 * the whole period and taking away the part outside: a range that ends now takes away the (no) rows
 * after now rather than adding all of today's, and a week but two days is read whole less two days. The
 * pieces' counts, with their signs, sum exactly to the range's.
 */
export function rangePieces(input: AnalyticsInput, facts: RangeFacts, coarsest: 7 | 28): Piece[] {
  const { from, to } = input;
  // Inside one day, or empty: its rows as they are.
  if (from !== undefined && to !== undefined && ceilTo(from, DAY_MS) > floorTo(to, DAY_MS))
    return [{ tier: 0, from, to, sign: 1 }];
  // A period costs about as many rollup rows as any other (the same pages and products come back every
  // day), except that those after the newest feedback hold none.
  const dataEnd = facts.newest === null ? -Infinity : floorTo(facts.newest, DAY_MS) + DAY_MS;
  const periods = (p: Piece, tier: Tier) =>
    Math.max(0, Math.min(p.to!, dataEnd) - p.from!) / (tier * DAY_MS);
  const pieces: Piece[] = [];
  let range = { from, to };
  let finer: Tier = 0;
  for (const tier of [1, 7, 28] as const) {
    if (tier > coarsest) break;
    const ends =
      tier === 1
        ? dayEnds(input)
        : [
            range.from !== undefined && range.from % (tier * DAY_MS)
              ? squarings(range.from, tier * DAY_MS, true, finer)
              : null,
            range.to !== undefined && range.to % (tier * DAY_MS)
              ? squarings(range.to, tier * DAY_MS, false, finer)
              : null,
          ];
    const next = { ...range };
    const found: Piece[] = [];
    for (const [i, end] of ends.entries()) {
      if (!end) continue;
      const out =
        tier === 1
          ? facts.outwardSmaller[i === 0 || !ends[0] ? 0 : 1]!
          : // Finer periods: going out reads one period more.
            periods(end[1].piece, finer) + 1 < periods(end[0].piece, finer);
      const chosen = end[out ? 1 : 0];
      found.push(chosen.piece);
      next[i === 0 ? "from" : "to"] = chosen.at;
    }
    if (next.from !== undefined && next.to !== undefined) {
      // Both ends inside one period of this tier: the range stays in the finer one.
      if (next.from > next.to) break;
      if (next.from === next.to) return [...pieces, ...found];
    }
    pieces.push(...found);
    range = next;
    finer = tier;
  }
  return [...pieces, { tier: finer, ...range, sign: 1 }];
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

/**
 * The feedback rows of the range's ragged ends (the pieces of tier 0), read once per request however many
 * parts of the answer count them: (sign, created_at, site_id, kind, score, page_url, product_ref, locale).
 */
function edgeRows(pieces: Piece[], siteId: string | undefined): SQL | null {
  const rows = pieces.filter((p) => p.tier === 0);
  if (!rows.length) return null;
  const f = feedback;
  return sql.join(
    rows.map(
      (p) =>
        sql`select ${p.sign} as sign, ${f.createdAt} as created_at, coalesce(${f.siteId}, '') as site_id, ${f.kind} as kind, ${f.score} as score, ${f.pageUrl} as page_url, ${f.productRef} as product_ref, ${f.locale} as locale from ${f} where ${and(...filters({ ...p, siteId }))}`,
    ),
    sql` union all `,
  );
}

/** Buckets (week, site_id, kind, score, n) over the rollup pieces and the edge rows; n signed. */
function buckets(pieces: Piece[], siteId: string | undefined, edge: boolean): SQL {
  const w = feedbackWeekly;
  const d = feedbackDaily;
  const members = pieces.flatMap((p) => {
    if (p.tier === 0) return [];
    if (p.tier === 1)
      return [
        sql`select ${d.day} - ${d.day} % ${WEEK_MS} as week, ${d.siteId} as site_id, ${d.kind} as kind, ${d.score} as score, ${d.n} * ${p.sign} as n from ${d} where ${rollupWhere(d.day, d.siteId, p, siteId)}`,
      ];
    return [
      sql`select ${w.week} as week, ${w.siteId} as site_id, ${w.kind} as kind, ${w.score} as score, ${w.n} * ${p.sign} as n from ${w} where ${rollupWhere(w.week, w.siteId, p, siteId)}`,
    ];
  });
  if (edge)
    members.push(
      sql`select created_at - created_at % ${WEEK_MS} as week, site_id, kind, coalesce(score, -1) as score, sum(sign) as n from edge group by 1, 2, 3, 4`,
    );
  return sql.join(members, sql` union all `);
}

/** One breakdown's rows (key, n, score_sum, score_count) over the rollup pieces and the edge rows. */
function keyRows(
  dimension: FeedbackDimension,
  pieces: Piece[],
  siteId: string | undefined,
  edge: boolean,
): SQL {
  const tables = {
    1: [feedbackDailyKeys, feedbackDailyKeys.day],
    7: [feedbackWeeklyKeys, feedbackWeeklyKeys.week],
    28: [feedbackFourWeeklyKeys, feedbackFourWeeklyKeys.start],
  } as const;
  const members = pieces.flatMap((p) => {
    if (p.tier === 0) return [];
    const [k, start] = tables[p.tier];
    return [
      sql`select ${k.value} as key, ${k.n} * ${p.sign} as n, ${k.scoreSum} * ${p.sign} as score_sum, ${k.scoreCount} * ${p.sign} as score_count from ${k} where ${k.dimension} = ${dimension} and ${rollupWhere(start, k.siteId, p, siteId)}`,
    ];
  });
  if (edge) {
    const column = sql.identifier(
      { page: "page_url", product: "product_ref", locale: "locale" }[dimension],
    );
    members.push(
      sql`select ${column} as key, sum(sign) as n, sum(coalesce(score, 0) * sign) as score_sum, sum((score is not null) * sign) as score_count from edge where ${column} <> '' group by 1`,
    );
  }
  return sql.join(members, sql` union all `);
}

const weekColumns = [
  "nps",
  "promoters",
  "passives",
  "detractors",
  "csat",
  "satisfied",
  "r1",
  "r2",
  "r3",
  "r4",
  "r5",
] as const;
type AnalyticsRow = Record<"part" | "key", string | number | null> &
  Record<"n" | "average" | "sort" | (typeof weekColumns)[number], number | null>;

/**
 * One breakdown: its ten keys with the most answers (ties by key), with the average of their scores to
 * one decimal. Parts taken away can leave a key at nothing: it had no answer in the range, not listed.
 * `sort` (-n) orders the statement's rows again, since a union keeps no order of its own.
 */
const topTen = (part: string, rows: SQL) =>
  sql`select * from (select ${part} as part, key, sum(n) as n, case when sum(score_count) > 0 then round(cast(sum(score_sum) as real) / sum(score_count), 1) end as average, -sum(n) as sort, ${sql.raw(weekColumns.map(() => "null").join(", "))} from (${rows}) group by key having sum(n) <> 0 order by 3 desc, 2 limit 10)`;

/**
 * NPS, CSAT share, rating distribution, a weekly trend and breakdowns, for the filters given. Read from
 * the rollup tiers (db/schema/rollups.ts) as rangePieces cuts the range, so 90 days cost a dozen
 * periods' rollup rows, not every answer; all in one statement, so the edges' feedback rows are read once.
 */
export async function feedbackAnalytics(db: Db, _actor: StaffActor, input: AnalyticsInput) {
  const { siteId } = input;
  const facts = await rangeFacts(db, input);
  const weekPieces = rangePieces(input, facts, 7);
  const keyPieces = rangePieces(input, facts, 28);
  // Both cut the days' ragged ends alike (coarser tiers come after), so they share the edge rows.
  const edge = edgeRows(keyPieces, siteId);
  const ctes = [
    ...(edge ? [sql`edge as materialized (${edge})`] : []),
    sql`b as materialized (${buckets(weekPieces, siteId, edge !== null)})`,
  ];
  // Scores are 0–10 (NPS) or 1–5; -1 stands for none and counts in no score's bucket.
  const count = (where: string) => sql.raw(`sum(case when ${where} then n else 0 end)`);
  const perWeek = [
    count("kind = 'nps'"),
    count("kind = 'nps' and score >= 9"),
    count("kind = 'nps' and score >= 7 and score < 9"),
    count("kind = 'nps' and score >= 0 and score < 7"),
    count("kind = 'csat'"),
    count("kind = 'csat' and score >= 4"),
    ...[1, 2, 3, 4, 5].map((score) => count(`kind = 'rating' and score = ${score}`)),
  ];
  const sections = [
    // One row per week (a row per bucket would cost more to hand over than to count).
    sql`select 'week' as part, week as key, sum(n) as n, null as average, week as sort, ${sql.join(
      perWeek.map((c, i) => sql`${c} as ${sql.identifier(weekColumns[i]!)}`),
      sql`, `,
    )} from b group by week having sum(n) <> 0`,
    topTen(
      "site",
      sql`select coalesce(${sites.name}, 'Portal') as key, b.n as n, case when b.score >= 0 then b.score * b.n else 0 end as score_sum, case when b.score >= 0 then b.n else 0 end as score_count from b left join ${sites} on ${sites.id} = b.site_id`,
    ),
    ...feedbackDimensions.map((dimension) =>
      topTen(dimension, keyRows(dimension, keyPieces, siteId, edge !== null)),
    ),
  ];
  const rows = await db.all<AnalyticsRow>(
    // A SELECT on the outside: db/client.ts sends only those the read path (no write turn, kept statements).
    sql`select * from (with ${sql.join(ctes, sql`, `)} ${sql.join(sections, sql` union all `)}) order by part, sort, key`,
  );
  const part = (name: string) => rows.filter((r) => r.part === name);
  const weeks = part("week");
  const total = (column: (typeof weekColumns)[number]) =>
    weeks.reduce((sum, row) => sum + Number(row[column]), 0);
  const breakdown = (name: string) =>
    part(name).map((r) => ({ key: r.key as string | null, n: Number(r.n), average: r.average }));
  const nps = {
    promoters: total("promoters"),
    passives: total("passives"),
    detractors: total("detractors"),
  };
  const npsTotal = nps.promoters + nps.passives + nps.detractors;
  return {
    nps: {
      ...nps,
      total: npsTotal,
      score: npsTotal ? Math.round(((nps.promoters - nps.detractors) / npsTotal) * 100) : null,
    },
    csat: { satisfied: total("satisfied"), total: total("csat") },
    ratings: ([1, 2, 3, 4, 5] as const).map((score) => ({ score, n: total(`r${score}`) })),
    trend: weeks.map((w) => {
      const answered = Number(w.nps);
      return {
        week: Number(w.key),
        responses: Number(w.n),
        nps: answered
          ? Math.round(((Number(w.promoters) - Number(w.detractors)) / answered) * 100)
          : null,
      };
    }),
    bySite: breakdown("site"),
    byPage: breakdown("page").filter((r) => r.key),
    byProduct: breakdown("product").filter((r) => r.key),
    byLocale: breakdown("locale").filter((r) => r.key),
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
