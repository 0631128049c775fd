import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, outbox, requests } from "../../db/schema";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import type { MailMessage } from "../mail/outbox";
import { fillPlaceholders, ftsQuery } from "./inbox";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
});
afterEach(() => t.close());

const as = (user: Parameters<typeof callerAs>[1]) => callerAs(t.db, user).caller;
const numbers = (page: { items: { number: number }[] }) => page.items.map((r) => r.number);
const mails = async () =>
  (await t.db.select({ payload: outbox.payload }).from(outbox)).map(
    (r) => r.payload as MailMessage,
  );

describe("the inbox", () => {
  it("sorts requests into views with counts, and filters them", async () => {
    const one = await as(cast.alda).portal.requests.create({
      subject: "Pakkinn minn",
      message: "Hvar er pakkinn?",
    });
    const two = await as(cast.bara).portal.requests.create({
      subject: "Invoice",
      message: "Please send the invoice",
    });
    const three = await as(cast.bara).portal.requests.create({
      subject: "Solved soon",
      message: "Small thing",
    });
    await as(cast.agent).staff.requests.update({
      id: one.id,
      assigneeId: cast.agent.id,
      priority: "urgent",
    });
    await as(cast.agent).staff.requests.reply({
      id: two.id,
      kind: "public",
      message: "Which invoice?",
    });
    await as(cast.agent).staff.requests.update({ id: three.id, status: "resolved" });

    const agent = as(cast.agent).staff.requests;
    expect(await agent.counts()).toEqual({
      mine: 2,
      unassigned: 0,
      open: 2,
      pending: 1,
      resolved: 1,
    });
    expect(numbers(await agent.inbox({ view: "mine" }))).toEqual([1002, 1001]);
    expect(numbers(await agent.inbox({ view: "pending" }))).toEqual([1002]);
    expect(numbers(await agent.inbox({ view: "resolved" }))).toEqual([1003]);
    expect(numbers(await agent.inbox({ view: "open", priority: "urgent" }))).toEqual([1001]);
    expect(numbers(await agent.inbox({ view: "open", channel: "widget" }))).toEqual([]);
    expect((await as(cast.admin).staff.requests.counts()).mine).toBe(0);
  });

  it("searches subjects and messages with FTS5, and treats query syntax as words", async () => {
    await as(cast.alda).portal.requests.create({
      subject: "Lopapeysa of stór",
      message: "Get ég skipt?",
    });
    const two = await as(cast.bara).portal.requests.create({
      subject: "Delivery",
      message: "Nothing here",
    });
    await as(cast.agent).staff.requests.reply({
      id: two.id,
      kind: "note",
      message: "Customer asked about the lopapeysa too",
    });
    const search = (q: string) => as(cast.agent).staff.requests.inbox({ view: "open", q });
    expect(numbers(await search("lopapeysa"))).toEqual([1002, 1001]);
    expect(numbers(await search("stor"))).toEqual([1001]); // diacritics folded
    expect(numbers(await search("skip"))).toEqual([1001]); // prefix
    expect(numbers(await search('"unbalanced OR NEAR(*'))).toEqual([]);
    expect(numbers(await search("#1002"))).toEqual([1002]);
    expect(ftsQuery('a" OR b*')).toBe('"a"* "OR"* "b"*');
    expect(ftsQuery("  ")).toBeNull();
  });

  it("pages by first-response due time with a keyset cursor", async () => {
    for (let i = 0; i < 5; i++)
      await as(cast.alda).portal.requests.create({ subject: `R${i}`, message: "M" });
    const first = await as(cast.agent).staff.requests.inbox({
      view: "open",
      sort: "due",
      limit: 3,
    });
    const second = await as(cast.agent).staff.requests.inbox({
      view: "open",
      sort: "due",
      limit: 3,
      cursor: first.nextCursor!,
    });
    expect([...numbers(first), ...numbers(second)]).toEqual([1001, 1002, 1003, 1004, 1005]);
    expect(second.nextCursor).toBeNull();
  });
});

describe("answering", () => {
  it("sets the first response, makes the request pending, assigns the agent and mails the customer", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    await as(cast.agent).staff.requests.reply({
      id,
      kind: "public",
      message: "**Answer** with [a link](https://example.com)",
    });
    const [row] = await t.db.select().from(requests).where(eq(requests.id, id));
    expect(row).toMatchObject({ status: "pending", assigneeId: cast.agent.id });
    expect(row!.firstRespondedAt).not.toBeNull();
    const mail = (await mails()).find((m) => m.to === cast.alda.email)!;
    expect(mail.subject).toBe("New reply to your request #1001: Q");
    expect(mail.text).toContain("> **Answer** with [a link](https://example.com)");
    expect(mail.text).toContain(`/requests/${id}`);
  });

  it("keeps notes off the customer's live events", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    await t.db.delete(events);
    await as(cast.agent).staff.requests.reply({ id, kind: "note", message: "internal" });
    await as(cast.agent).staff.requests.reply({ id, kind: "public", message: "public" });
    expect(
      (await t.db.select({ public: events.public }).from(events)).map((e) => e.public),
    ).toEqual([false, true]);
  });

  it("records every change with who and when, recomputes the due time and mails on resolve", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    const [before] = await t.db.select().from(requests).where(eq(requests.id, id));
    await as(cast.admin).staff.admin.setTargets({ urgent: 30, high: 240, normal: 1440, low: 4320 });
    await as(cast.agent).staff.requests.update({
      id,
      priority: "urgent",
      assigneeId: cast.admin.id,
    });
    const [after] = await t.db.select().from(requests).where(eq(requests.id, id));
    expect(after!.firstResponseDueAt).toBe(before!.createdAt + 30 * 60_000);
    await as(cast.agent).staff.requests.update({ id, status: "resolved" });
    await as(cast.admin).staff.admin.createCategory({ nameEn: "Billing", nameIs: "Reikningar" });
    const [billing] = await as(cast.agent).staff.requests.categories();
    await as(cast.agent).staff.requests.update({
      id,
      categoryId: billing!.id,
      assigneeId: cast.agent.id,
    });
    // Saving the form again with the same values changes nothing and loses nothing.
    await as(cast.agent).staff.requests.update({
      id,
      status: "resolved",
      priority: "urgent",
      categoryId: billing!.id,
      assigneeId: cast.agent.id,
    });
    const view = await as(cast.agent).staff.requests.byId({ id });
    expect(view.categoryId).toBe(billing!.id);
    expect(view.history.map((h) => [h.actorName, h.field, h.fromValue, h.toValue])).toEqual([
      ["Alda A", "created", null, "open"],
      ["Sigga Agent", "priority", "normal", "urgent"],
      ["Sigga Agent", "assignee", null, "Ari Admin"],
      ["Sigga Agent", "status", "open", "resolved"],
      ["Sigga Agent", "category", null, "Billing"],
      ["Sigga Agent", "assignee", "Ari Admin", "Sigga Agent"],
    ]);
    expect((await mails()).some((m) => m.subject === "Your request #1001 is resolved")).toBe(true);
    await expect(
      as(cast.agent).staff.requests.update({ id, assigneeId: cast.alda.id }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("mails the assignee when the customer replies", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    await as(cast.agent).staff.requests.reply({ id, kind: "public", message: "Answer" });
    await as(cast.alda).portal.requests.reply({ id, message: "Follow-up" });
    const mail = (await mails()).find((m) => m.to === cast.agent.email)!;
    expect(mail.subject).toBe("Alda A replied to #1001: Q");
    expect(mail.text).toContain("> Follow-up");
  });

  it("fills canned replies' placeholders for the request", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    await as(cast.admin).staff.admin.createCannedReply({
      title: "Hi",
      body: "Hi {{customer.firstName}}, #{{request.number}} here. {{agent.name}} {{unknown}}",
    });
    const [reply] = await as(cast.agent).staff.requests.cannedReplies({ id });
    expect(reply!.body).toBe("Hi Alda, #1001 here. Sigga Agent {{unknown}}");
    expect(fillPlaceholders("{{ order.number }}", { "order.number": "10423" })).toBe("10423");
  });
});
