import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { attachments, feedback, outbox, type requestMessages, requests } from "../../db/schema";
import { orderBody } from "../../tests/factories/orders";
import { exeBytes, pngBytes, supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { upsertCustomer, upsertOrder } from "./ingest";
import { MAX_FILE_BYTES } from "./attachments";
import { REOPEN_WINDOW_MS } from "./requests";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
});
afterEach(() => t.close());

const filesOnDisk = () => {
  try {
    return readdirSync(join(tmpdir(), "tengsl-test-files")).sort();
  } catch {
    return [];
  }
};
const as = (user: Parameters<typeof callerAs>[1]) => callerAs(t.db, user).caller;
const rows = async (table: typeof requests | typeof requestMessages | typeof attachments) =>
  (await t.db.select({ n: count() }).from(table))[0]!.n;

describe("opening a request", () => {
  it("numbers requests from #1001 across the company and scopes them to the account", async () => {
    const first = await as(cast.alda).portal.requests.create({
      subject: "Hjálp",
      message: "Halló",
    });
    const second = await as(cast.bara).portal.requests.create({
      subject: "Help",
      message: "Hello",
    });
    expect([first.number, second.number]).toEqual([1001, 1002]);
    // Both contacts of A see A's request; B's contact does not.
    expect((await as(cast.atli).portal.requests.list({})).items.map((r) => r.number)).toEqual([
      1001,
    ]);
    expect((await as(cast.bara).portal.requests.list({})).items.map((r) => r.number)).toEqual([
      1002,
    ]);
    await expect(as(cast.bara).portal.requests.byId({ id: first.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("accepts only the account's own orders and known categories, storing nothing otherwise", async () => {
    const other = await upsertCustomer(t.db, "X", { kind: "person", name: "X", contacts: [] });
    void other;
    const order = await upsertOrder(t.db, "O-X", orderBody("X"));
    await expect(
      as(cast.alda).portal.requests.create({ subject: "S", message: "M", orderId: order.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      as(cast.alda).portal.requests.create({ subject: "S", message: "M", categoryId: "nope" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      as(cast.alda).portal.requests.create({ subject: "", message: "" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await rows(requests)).toBe(0);
  });

  it("stores files whose content is an allowed type", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Photo",
      message: "See attached",
      attachments: [
        { name: "photo.png", data: pngBytes() },
        { name: "notes.txt", data: new TextEncoder().encode("plain text, ok") },
      ],
    });
    const request = await as(cast.alda).portal.requests.byId({ id });
    expect(request.messages[0]!.files.map((f) => [f.fileName, f.contentType])).toEqual([
      ["photo.png", "image/png"],
      ["notes.txt", "text/plain"],
    ]);
  });

  it.each([
    [
      "an executable renamed .png",
      () => [{ name: "cute.png", data: exeBytes() }],
      "attachments.badType",
    ],
    [
      "a file over 10 MB",
      () => [{ name: "big.txt", data: new Uint8Array(MAX_FILE_BYTES + 1).fill(65) }],
      "attachments.tooLarge",
    ],
    [
      "six files",
      () =>
        Array.from({ length: 6 }, (_, i) => ({
          name: `${i}.txt`,
          data: new TextEncoder().encode("x"),
        })),
      "attachments.tooMany",
    ],
  ])("refuses %s with a clear error and stores nothing", async (_what, files, key) => {
    const before = filesOnDisk();
    const error = await as(cast.alda)
      .portal.requests.create({ subject: "S", message: "M", attachments: files() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    const { fieldErrors } = (await import("../errors")).describeError(error);
    expect(fieldErrors.attachments).toEqual([key]);
    expect(await rows(requests)).toBe(0);
    expect(await rows(attachments)).toBe(0);
    // Files written before the refusal are removed again.
    expect(filesOnDisk()).toEqual(before);
  });
});

describe("following a request", () => {
  it("never shows internal notes to the customer, in the thread or anywhere else", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    await as(cast.agent).staff.requests.reply({
      id,
      kind: "note",
      message: "SECRET internal remark",
    });
    await as(cast.agent).staff.requests.reply({ id, kind: "public", message: "Public answer" });
    const seen = await as(cast.alda).portal.requests.byId({ id });
    expect(seen.messages.map((m) => m.body)).toEqual(["Question", "Public answer"]);
    expect(JSON.stringify(seen)).not.toContain("SECRET");
    const mails = (await t.db.select({ payload: outbox.payload }).from(outbox)).map((r) =>
      JSON.stringify(r.payload),
    );
    expect(mails.some((m) => m.includes("Public answer"))).toBe(true);
    expect(mails.some((m) => m.includes("SECRET"))).toBe(false);
    const staffView = await as(cast.agent).staff.requests.byId({ id });
    expect(staffView.messages.map((m) => m.kind)).toEqual(["public", "note", "public"]);
  });

  it("reopens on a customer reply, resolves on 'this is solved', reopens within 14 days and not after", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    await as(cast.agent).staff.requests.reply({ id, kind: "public", message: "Answer" });
    expect((await as(cast.alda).portal.requests.byId({ id })).status).toBe("pending");
    await as(cast.atli).portal.requests.reply({ id, message: "Thanks, one more thing" });
    expect((await as(cast.alda).portal.requests.byId({ id })).status).toBe("open");
    await as(cast.alda).portal.requests.resolve({ id });
    const resolved = await as(cast.alda).portal.requests.byId({ id });
    expect(resolved).toMatchObject({ status: "resolved", canReopen: true });
    await as(cast.alda).portal.requests.reopen({ id });
    expect((await as(cast.alda).portal.requests.byId({ id })).status).toBe("open");

    await as(cast.alda).portal.requests.resolve({ id });
    await t.db
      .update(requests)
      .set({ resolvedAt: Date.now() - REOPEN_WINDOW_MS - 1 })
      .where(eq(requests.id, id));
    await expect(as(cast.alda).portal.requests.reopen({ id })).rejects.toMatchObject({
      message: "requests.reopenExpired",
    });
    await expect(
      as(cast.alda).portal.requests.reply({ id, message: "Late" }),
    ).rejects.toMatchObject({ message: "requests.closedForReplies" });
    expect((await as(cast.alda).portal.requests.byId({ id })).canReply).toBe(false);
  });

  it("takes a 1-5 rating once resolved, as CSAT feedback linked to the request", async () => {
    const { id } = await as(cast.alda).portal.requests.create({
      subject: "Q",
      message: "Question",
    });
    await expect(as(cast.alda).portal.requests.rate({ id, score: 4 })).rejects.toMatchObject({
      message: "requests.rateWhenResolved",
    });
    await as(cast.alda).portal.requests.resolve({ id });
    await expect(as(cast.alda).portal.requests.rate({ id, score: 6 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await as(cast.alda).portal.requests.rate({ id, score: 4, comment: "Good" });
    await as(cast.alda).portal.requests.rate({ id, score: 5, comment: "Better" });
    const rows = await t.db
      .select({
        kind: feedback.kind,
        score: feedback.score,
        requestId: feedback.requestId,
        accountId: feedback.accountId,
      })
      .from(feedback);
    expect(rows).toEqual([{ kind: "csat", score: 5, requestId: id, accountId: cast.accountA }]);
    expect((await as(cast.agent).staff.requests.byId({ id })).rating).toMatchObject({
      score: 5,
      comment: "Better",
    });
    await expect(as(cast.bara).portal.requests.rate({ id, score: 1 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("file names", () => {
  it("say what the content is and hide nothing", async () => {
    const { safeFileName } = await import("./attachments");
    expect(safeFileName("invoice.hta", "text/plain")).toBe("invoice.hta.txt");
    expect(safeFileName("photo.JPG", "image/jpeg")).toBe("photo.JPG");
    expect(safeFileName("scan.pdf.exe", "application/pdf")).toBe("scan.pdf.exe.pdf");
    expect(safeFileName("evil\u202Egpj.exe", "image/png")).toBe("evilgpj.exe.png");
    expect(safeFileName('a"b\\c/d\r\n.txt', "text/plain")).toBe("abcd.txt");
    expect(safeFileName("   ", "image/gif")).toBe("file.gif");
  });
});
