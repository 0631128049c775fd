// Feedback as the customer and the relationship team see it: NPS, ratings and comments from the portal
// (the same storage and rules as the widget's), the history with the company's replies, the follow-up of
// unhappy answers (reply by mail, or turn into a request), and the analytics over all of it.
import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { accounts, feedback, feedbackReplies, orders, sites, users } from "../../db/schema";
import type { CustomerActor, StaffActor } from "../actor";
import { DomainError, notFound } from "../errors";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";
import { recordAudit } from "./audit";
import { decodeCursor, encodeCursor } from "./cursor";
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

const after = (c: { at: number; id: string }) =>
  or(lt(feedback.createdAt, c.at), and(eq(feedback.createdAt, c.at), lt(feedback.id, c.id)));

/** The cursor for the page after these rows. */
export const streamCursor = (row: { createdAt: number; id: string }) =>
  encodeCursor({ at: row.createdAt, id: row.id });

/** Unhappy answers nobody has followed up: NPS detractors (0–6) and ratings or CSAT of 1–2. */
const unhappy = sql`((${feedback.kind} = 'nps' and ${feedback.score} <= 6) or (${feedback.kind} in ('rating', 'csat') and ${feedback.score} <= 2))`;

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

/** NPS, CSAT share, rating distribution, a weekly trend and breakdowns, for the filters given. */
export async function feedbackAnalytics(db: Db, _actor: StaffActor, input: AnalyticsInput) {
  const where = and(...filters(input));
  const [nps] = await db
    .select({
      promoters: sql<number>`sum(case when ${feedback.score} >= 9 then 1 else 0 end)`,
      passives: sql<number>`sum(case when ${feedback.score} in (7, 8) then 1 else 0 end)`,
      detractors: sql<number>`sum(case when ${feedback.score} <= 6 then 1 else 0 end)`,
    })
    .from(feedback)
    .where(and(where, eq(feedback.kind, "nps")));
  const [csat] = await db
    .select({
      satisfied: sql<number>`sum(case when ${feedback.score} >= 4 then 1 else 0 end)`,
      total: sql<number>`count(*)`,
    })
    .from(feedback)
    .where(and(where, eq(feedback.kind, "csat")));
  const ratings = await db
    .select({ score: feedback.score, n: sql<number>`count(*)` })
    .from(feedback)
    .where(and(where, eq(feedback.kind, "rating")))
    .groupBy(feedback.score);
  const week = sql<number>`(${feedback.createdAt} / 604800000) * 604800000`;
  const trend = await db
    .select({
      week,
      responses: sql<number>`count(*)`,
      promoters: sql<number>`sum(case when ${feedback.kind} = 'nps' and ${feedback.score} >= 9 then 1 else 0 end)`,
      detractors: sql<number>`sum(case when ${feedback.kind} = 'nps' and ${feedback.score} <= 6 then 1 else 0 end)`,
      npsCount: sql<number>`sum(case when ${feedback.kind} = 'nps' then 1 else 0 end)`,
    })
    .from(feedback)
    .where(where)
    .groupBy(week)
    .orderBy(week);
  const breakdown = (column: SQL | typeof feedback.locale) =>
    db
      .select({
        key: sql<string | null>`${column}`,
        n: sql<number>`count(*)`,
        average: sql<number | null>`round(avg(${feedback.score}), 1)`,
      })
      .from(feedback)
      .leftJoin(sites, eq(sites.id, feedback.siteId))
      .where(where)
      .groupBy(sql`1`)
      .orderBy(desc(sql`2`))
      .limit(10);
  const [bySite, byPage, byProduct, byLocale] = await Promise.all([
    breakdown(sql`coalesce(${sites.name}, 'Portal')`),
    breakdown(sql`${feedback.pageUrl}`),
    breakdown(sql`${feedback.productRef}`),
    breakdown(feedback.locale),
  ]);
  const p = Number(nps?.promoters ?? 0);
  const d = Number(nps?.detractors ?? 0);
  const npsTotal = p + d + Number(nps?.passives ?? 0);
  return {
    nps: {
      promoters: p,
      passives: Number(nps?.passives ?? 0),
      detractors: d,
      total: npsTotal,
      score: npsTotal ? Math.round(((p - d) / npsTotal) * 100) : null,
    },
    csat: { satisfied: Number(csat?.satisfied ?? 0), total: Number(csat?.total ?? 0) },
    ratings: [1, 2, 3, 4, 5].map((score) => ({
      score,
      n: Number(ratings.find((r) => r.score === score)?.n ?? 0),
    })),
    trend: trend.map((w) => ({
      week: Number(w.week),
      responses: Number(w.responses),
      nps: Number(w.npsCount)
        ? Math.round(((Number(w.promoters) - Number(w.detractors)) / Number(w.npsCount)) * 100)
        : null,
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
