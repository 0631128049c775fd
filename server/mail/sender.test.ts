import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outbox } from "../../db/schema";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { startSmtpSink } from "../../tests/helpers/smtp-sink";
import { enqueueMail } from "./outbox";
import { deliverDueMail, retryDelay } from "./sender";
import { createMailTransport } from "./transport";

let t: TestDb;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
beforeEach(async () => {
  t = await createTestDb();
  sink = await startSmtpSink();
});
afterEach(async () => {
  t.close();
  await sink.close();
});

const message = (to: string) => ({ to, subject: "Halló", text: "Texti", html: "<p>Texti</p>" });

describe("deliverDueMail over SMTP", () => {
  it("sends each pending message once and marks it sent", async () => {
    await enqueueMail(t.db, message("a@example.com"));
    await enqueueMail(t.db, message("b@example.com"));
    const transport = createMailTransport({ smtpUrl: sink.url, mailDir: t.dir });
    expect(await deliverDueMail(t.db, transport)).toBe(2);
    expect(await deliverDueMail(t.db, transport)).toBe(0);
    transport.close();
    expect(sink.received.map((m) => m.to[0]).sort()).toEqual(["a@example.com", "b@example.com"]);
    expect(sink.received[0]!.raw).toContain("Subject: =?UTF-8?Q?Hall=C3=B3?=");
    const rows = await t.db
      .select({ status: outbox.status, attempts: outbox.attempts })
      .from(outbox);
    expect(rows).toEqual([
      { status: "sent", attempts: 1 },
      { status: "sent", attempts: 1 },
    ]);
  });

  it("keeps a message the server refuses and sends it on a later try", async () => {
    await enqueueMail(t.db, message("a@example.com"));
    const transport = createMailTransport({ smtpUrl: sink.url, mailDir: t.dir });
    sink.refuseNext(1);
    const now = Date.now();
    expect(await deliverDueMail(t.db, transport, now)).toBe(0);
    const [pending] = await t.db.select().from(outbox);
    expect(pending).toMatchObject({
      status: "pending",
      attempts: 1,
      nextAttemptAt: now + retryDelay(1),
    });
    expect(pending!.lastError).toMatch(/451/);

    // Not due yet: nothing happens; once due, it goes.
    expect(await deliverDueMail(t.db, transport, now + 1000)).toBe(0);
    expect(await deliverDueMail(t.db, transport, now + retryDelay(1))).toBe(1);
    transport.close();
    expect(sink.received).toHaveLength(1);
  });

  it("marks a message failed after its last attempt, for admins to see", async () => {
    await enqueueMail(t.db, message("a@example.com"));
    await t.db.update(outbox).set({ attempts: 9 });
    const transport = createMailTransport({ smtpUrl: "smtp://127.0.0.1:1", mailDir: t.dir });
    await deliverDueMail(t.db, transport);
    transport.close();
    const [row] = await t.db
      .select({ status: outbox.status, attempts: outbox.attempts })
      .from(outbox);
    expect(row).toEqual({ status: "failed", attempts: 10 });
  });

  it("does not take a message another process holds", async () => {
    await enqueueMail(t.db, message("a@example.com"));
    const now = Date.now();
    await t.db
      .update(outbox)
      .set({ lockedUntil: now + 30_000 })
      .where(eq(outbox.status, "pending"));
    const transport = createMailTransport({ smtpUrl: sink.url, mailDir: t.dir });
    expect(await deliverDueMail(t.db, transport, now)).toBe(0);
    expect(await deliverDueMail(t.db, transport, now + 30_000)).toBe(1);
    transport.close();
  });
});

describe("the .eml transport", () => {
  it("writes each message to a file in the mail folder", async () => {
    await enqueueMail(t.db, message("a@example.com"));
    const transport = createMailTransport({ smtpUrl: undefined, mailDir: `${t.dir}/mail` });
    expect(await deliverDueMail(t.db, transport)).toBe(1);
    const { readdirSync, readFileSync } = await import("node:fs");
    const files = readdirSync(`${t.dir}/mail`);
    expect(files).toHaveLength(1);
    expect(readFileSync(`${t.dir}/mail/${files[0]}`, "utf8")).toContain("To: a@example.com");
  });
});

describe("retryDelay", () => {
  it("doubles from 30 seconds up to four hours", () => {
    expect([1, 2, 3].map(retryDelay)).toEqual([30_000, 60_000, 120_000]);
    expect(retryDelay(20)).toBe(4 * 60 * 60_000);
  });
});
