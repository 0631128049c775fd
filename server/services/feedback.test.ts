import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { feedback, requests } from "../../db/schema";
import { orderBody } from "../../tests/factories/orders";
import { createUser } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { lastMailTo } from "../../tests/helpers/mail";
import type { User } from "../auth/session";
import { upsertCustomer, upsertOrder } from "./ingest";

let t: TestDb;
let anna: User;
let bara: User;
let agent: User;
let delivered = "";
let processing = "";
beforeEach(async () => {
  t = await createTestDb();
  const a = await upsertCustomer(t.db, "A", { kind: "person", name: "Anna", contacts: [] });
  const b = await upsertCustomer(t.db, "B", { kind: "person", name: "Bára", contacts: [] });
  anna = await createUser(t.db, { accountId: a.id, name: "Anna Jóns" });
  bara = await createUser(t.db, { accountId: b.id, name: "Bára" });
  agent = await createUser(t.db, { role: "agent", name: "Sigga Agent" });
  delivered = (
    await upsertOrder(t.db, "O-1", orderBody("A", { number: "501", status: "delivered" }))
  ).id;
  processing = (
    await upsertOrder(t.db, "O-2", orderBody("A", { number: "502", status: "processing" }))
  ).id;
});
afterEach(() => t.close());

const as = (user: User | null) => callerAs(t.db, user).caller;

describe("feedback in the portal", () => {
  it("takes NPS with a comment and lists it in the person's history", async () => {
    await as(anna).portal.feedback.give({ kind: "nps", score: 3, comment: "Slow delivery" });
    const [item] = await as(anna).portal.feedback.mine();
    expect(item).toMatchObject({ kind: "nps", score: 3, comment: "Slow delivery", replies: [] });
    expect(await as(bara).portal.feedback.mine()).toEqual([]);
    await expect(as(anna).portal.feedback.give({ kind: "nps" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("rates only the account's delivered orders, once per person", async () => {
    expect((await as(anna).portal.feedback.ordersToRate()).map((o) => o.number)).toEqual(["501"]);
    await as(anna).portal.feedback.give({ kind: "rating", score: 2, orderId: delivered });
    await as(anna).portal.feedback.give({ kind: "rating", score: 4, orderId: delivered });
    expect(
      (await t.db.select({ score: feedback.score }).from(feedback)).map((r) => r.score),
    ).toEqual([4]);
    expect(await as(anna).portal.feedback.ordersToRate()).toEqual([]);
    await expect(
      as(anna).portal.feedback.give({ kind: "rating", score: 4, orderId: processing }),
    ).rejects.toMatchObject({ message: "feedback.rateDelivered" });
    await expect(
      as(bara).portal.feedback.give({ kind: "rating", score: 1, orderId: delivered }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("following up", () => {
  it("lists detractors and low ratings until someone answers; the answer is mailed and shown to the customer", async () => {
    await as(anna).portal.feedback.give({ kind: "nps", score: 9, comment: "Great" });
    await as(anna).portal.feedback.give({ kind: "nps", score: 3, comment: "Slow delivery" });
    const [item] = await as(agent).staff.feedback.needsFollowUp();
    expect(await as(agent).staff.feedback.needsFollowUp()).toHaveLength(1);
    expect(item).toMatchObject({ score: 3, comment: "Slow delivery", userName: "Anna Jóns" });
    await as(agent).staff.feedback.reply({
      id: item!.id,
      message: "Sorry! We have changed carrier.",
    });
    expect(await as(agent).staff.feedback.needsFollowUp()).toEqual([]);
    const mail = (await lastMailTo(t.db, anna.email))!;
    expect(mail.subject).toBe("We read your feedback");
    expect(mail.text).toContain("> Sorry! We have changed carrier.");
    const history = await as(anna).portal.feedback.mine();
    expect(history.find((h) => h.score === 3)!.replies).toEqual([
      {
        authorName: "Sigga Agent",
        body: "Sorry! We have changed carrier.",
        createdAt: expect.any(Number) as number,
      },
    ]);
    const [row] = await t.db.select().from(feedback).where(eq(feedback.id, item!.id));
    expect(row).toMatchObject({ followedUpBy: agent.id });
    await expect(
      as(anna).staff.feedback.reply({ id: item!.id, message: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("turns feedback into a request once, linked both ways", async () => {
    await as(anna).portal.feedback.give({ kind: "nps", score: 0, comment: "Broken on arrival" });
    const [item] = await as(agent).staff.feedback.needsFollowUp();
    const { requestId } = await as(agent).staff.feedback.toRequest({ id: item!.id });
    const again = await as(agent).staff.feedback.toRequest({ id: item!.id });
    expect(again.requestId).toBe(requestId);
    expect((await t.db.select().from(requests)).length).toBe(1);
    const request = await as(agent).staff.requests.byId({ id: requestId });
    expect(request).toMatchObject({ priority: "high", status: "open", requesterName: "Anna Jóns" });
    expect(request.messages[0]!.body).toBe("Broken on arrival");
    const { rows: stream } = await as(agent).staff.feedback.stream({});
    expect(stream[0]).toMatchObject({ followUpRequestId: requestId });
    await expect(as(agent).staff.feedback.toRequest({ id: "nope" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("the stream", () => {
  it("pages through rows of the same millisecond without skipping or repeating any", async () => {
    const now = Date.now();
    await t.db.insert(feedback).values(
      Array.from({ length: 7 }, (_, i) => ({
        id: `f${i}`,
        kind: "comment" as const,
        comment: `c${i}`,
        createdAt: now,
      })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await as(agent).staff.feedback.stream({ limit: 3, cursor });
      seen.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(["f0", "f1", "f2", "f3", "f4", "f5", "f6"]);
  });
});

describe("analytics", () => {
  it("computes NPS, CSAT share and the rating distribution for the period", async () => {
    for (const score of [10, 9, 8, 3]) await as(anna).portal.feedback.give({ kind: "nps", score });
    await as(anna).portal.feedback.give({ kind: "rating", score: 5, orderId: delivered });
    const stats = await as(agent).staff.feedback.analytics({});
    expect(stats.nps).toEqual({ promoters: 2, passives: 1, detractors: 1, total: 4, score: 25 });
    expect(stats.ratings.find((r) => r.score === 5)!.n).toBe(1);
    expect(stats.trend.reduce((a, w) => a + w.responses, 0)).toBe(5);
    const empty = await as(agent).staff.feedback.analytics({ from: Date.now() + 86_400_000 });
    expect(empty.nps.score).toBeNull();
  });

  it("answers while a write transaction holds the process's write turn: its statements are reads", async () => {
    await as(anna).portal.feedback.give({ kind: "nps", score: 9 });
    // Were the analytics queued behind writers (db/client.ts), this would wait for itself forever.
    const stats = await t.db.transaction(async (tx) => {
      await tx.run(sql`select 1`);
      const now = Date.now();
      return as(agent).staff.feedback.analytics({ from: now - 2 * 86_400_000 + 1, to: now + 1 });
    });
    expect(stats.nps).toMatchObject({ promoters: 1, total: 1 });
  });
});
