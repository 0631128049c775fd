// The customer 360 for staff: an account, its people, orders, requests and feedback in one timeline.
import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, contacts, feedback, orders, requests, users } from "../../db/schema";
import type { StaffActor } from "../actor";
import { notFound } from "../errors";

export async function getAccount360(db: Db, _actor: StaffActor, accountId: string) {
  const [account] = await db
    .select({
      id: accounts.id,
      name: accounts.name,
      kind: accounts.kind,
      externalId: accounts.externalId,
      createdAt: accounts.createdAt,
    })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) throw notFound();
  const [people, members, orderRows, requestRows, feedbackRows] = await Promise.all([
    db
      .select({ name: contacts.name, email: contacts.email, isAdmin: contacts.isAdmin })
      .from(contacts)
      .where(eq(contacts.accountId, accountId)),
    db
      .select({ name: users.name, email: users.email, verified: users.emailVerifiedAt })
      .from(users)
      .where(eq(users.accountId, accountId)),
    db
      .select({
        id: orders.id,
        number: orders.number,
        status: orders.status,
        total: orders.total,
        currency: orders.currency,
        at: orders.placedAt,
      })
      .from(orders)
      .where(eq(orders.accountId, accountId))
      .orderBy(desc(orders.placedAt))
      .limit(50),
    db
      .select({
        id: requests.id,
        number: requests.number,
        subject: requests.subject,
        status: requests.status,
        at: requests.createdAt,
      })
      .from(requests)
      .where(eq(requests.accountId, accountId))
      .orderBy(desc(requests.createdAt))
      .limit(50),
    db
      .select({
        id: feedback.id,
        kind: feedback.kind,
        score: feedback.score,
        comment: feedback.comment,
        requestId: feedback.requestId,
        at: feedback.createdAt,
      })
      .from(feedback)
      .where(eq(feedback.accountId, accountId))
      .orderBy(desc(feedback.createdAt))
      .limit(50),
  ]);
  const timeline = [
    ...orderRows.map((o) => ({ type: "order" as const, at: o.at, order: o })),
    ...requestRows.map((r) => ({ type: "request" as const, at: r.at, request: r })),
    ...feedbackRows.map((f) => ({ type: "feedback" as const, at: f.at, feedback: f })),
  ].sort((a, b) => b.at - a.at);
  const npsScores = feedbackRows
    .filter((f) => f.kind === "nps" && f.score !== null)
    .map((f) => f.score!);
  const csatScores = feedbackRows
    .filter((f) => f.kind === "csat" && f.score !== null)
    .map((f) => f.score!);
  const average = (xs: number[]) =>
    xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null;
  return {
    account,
    contacts: people,
    members,
    orders: orderRows,
    requests: requestRows,
    timeline,
    csatAverage: average(csatScores),
    npsAverage: average(npsScores),
  };
}
