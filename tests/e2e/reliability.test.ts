// Nothing accepted is lost: the crash test at CI size (two processes over one database, one killed again
// and again), and a graceful stop that finishes open requests and a mail being sent, while live pages
// reconnect to the process that takes over.
import { request } from "node:http";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { runCrashTest } from "../../bench/crash-test";
import { orderBody } from "../factories/orders";
import { hasChromium, launchBrowser, signIn } from "../helpers/browser";
import { createApiKey, put } from "../helpers/ingest";
import { sign } from "../../server/ingest/signature";
import { startServer } from "../helpers/server";
import { startSmtpSink } from "../helpers/smtp-sink";

const exitOf = (server: { process: { once(e: "exit", f: (code: number) => void): void } }) =>
  new Promise<number>((resolve) => server.process.once("exit", resolve));

describe("crash test", () => {
  it("keeps every acknowledged submission once and every order at its newest acknowledged state", async () => {
    const report = await runCrashTest({ seconds: 8, kills: 3, concurrency: 8 });
    console.log(
      `crash test: ${report.kills} kills; sent ${report.sent.submissions} submissions and ` +
        `${report.sent.orderUpdates} order updates (${report.sent.retries} retries); acknowledged ` +
        `${report.acknowledged.submissions} and ${report.acknowledged.orderUpdates}; stored ` +
        `${report.stored.submissions} submissions and ${report.stored.orders} orders`,
    );
    expect(report.kills).toBe(3);
    expect(report.acknowledged.submissions).toBeGreaterThan(20);
    expect(report.acknowledged.orderUpdates).toBeGreaterThan(20);
    expect(report.lostSubmissions).toEqual([]);
    expect(report.duplicateSubmissions).toEqual([]);
    expect(report.staleOrders).toEqual([]);
    // Two processes writing at full speed: no SQLITE_BUSY (or anything else) surfaces as a 5xx.
    expect(report.serverErrors).toBe(0);
    // Stored never falls short of acknowledged (sent-but-unanswered may be stored too).
    expect(report.stored.submissions).toBeGreaterThanOrEqual(report.acknowledged.submissions);
    expect(report.stored.submissions).toBeLessThanOrEqual(report.sent.submissions);
    // A long analytics read held open in another process did not stop the writes.
    expect(report.acknowledgedDuringLongRead).toBeGreaterThan(0);
  });
});

describe("graceful stop", () => {
  it("finishes a slow upload and a mail being sent after SIGTERM, refuses new connections, exits 0", async () => {
    const sink = await startSmtpSink();
    const server = await startServer({ SMTP_URL: sink.url, DEMO_PORT: "0" }, { keep: true });
    try {
      const key = await createApiKey(server.url);
      expect(
        (await put(server.url, key, "/customers/STOP-1", { kind: "person", name: "S" })).ok,
      ).toBe(true);

      // A mail on its way: the SMTP server has the message and keeps its answer back. (The demo seed's
      // own mails go out first.)
      const db = createClient({ url: server.dbUrl });
      const pendingMail = async () =>
        Number(
          (await db.execute("select count(*) n from outbox where status = 'pending'")).rows[0]?.n,
        );
      await expect.poll(pendingMail, { timeout: 10_000 }).toBe(0);
      const sentBefore = sink.received.length;
      const held = sink.holdNext();
      const reset = await fetch(`${server.url}/api/trpc/auth.requestPasswordReset`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.url },
        body: JSON.stringify({ json: { email: "anna@example.com", locale: "en" } }),
      });
      expect(reset.status).toBe(200);
      await held.arrived;

      // An upload of which only half has arrived.
      const body = JSON.stringify(orderBody("STOP-1", { number: "STOP-100" }));
      const timestamp = String(Math.floor(Date.now() / 1000));
      const path = "/api/v1/orders/STOP-ORDER";
      const upload = request(`${server.url}${path}`, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "tengsl-timestamp": timestamp,
          "tengsl-signature": sign(key, timestamp, { method: "PUT", path, body }),
        },
      });
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        upload.on("response", (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        upload.on("error", reject);
      });
      upload.write(body.slice(0, body.length / 2));
      await new Promise((resolve) => setTimeout(resolve, 200));

      const exited = exitOf(server);
      server.process.kill("SIGTERM");
      await expect.poll(() => server.output()).toContain("SIGTERM received");
      // No new connections once stopping.
      await expect(fetch(`${server.url}/sign-in`)).rejects.toThrow();

      upload.end(body.slice(body.length / 2));
      const response = await answered;
      expect(response.status).toBe(201);
      expect(JSON.parse(response.text)).toMatchObject({ result: "created" });

      held.release();
      expect(await exited).toBe(0);

      // Both were committed: the order is stored, the mail delivered once and marked sent.
      const delivered = sink.received.slice(sentBefore);
      expect(delivered.map((m) => m.to)).toEqual([["anna@example.com"]]);
      const order = await db.execute("select count(*) n from orders where number = 'STOP-100'");
      expect(Number(order.rows[0]?.n)).toBe(1);
      const mail = await db.execute("select distinct status from outbox");
      expect(mail.rows.map((r) => r.status)).toEqual(["sent"]);
      db.close();
    } finally {
      await server.stop();
      await sink.close();
    }
  });

  it.skipIf(!hasChromium)(
    "lets a live page reconnect to the process that takes over and see what happens there",
    async () => {
      const first = await startServer({ DEMO_PORT: "0" }, { keep: true });
      const port = new URL(first.url).port;
      const browser = await launchBrowser();
      let second: Awaited<ReturnType<typeof startServer>> | undefined;
      try {
        const customer = await (await browser.newContext({ locale: "en-GB" })).newPage();
        const subscriptions: string[] = [];
        customer.on("request", (r) => {
          if (r.url().includes("requests.live")) subscriptions.push(r.url());
        });
        await signIn(customer, first.url, "anna@example.com");
        await customer.goto(`${first.url}/requests`);
        await customer.locator("tbody tr").first().getByRole("link").first().click();
        await customer.waitForURL(/\/requests\/[\w-]+$/);
        const requestId = new URL(customer.url()).pathname.split("/").pop()!;
        await expect.poll(() => subscriptions.length).toBe(1);

        const exited = exitOf(first);
        first.process.kill("SIGTERM");
        expect(await exited).toBe(0);
        second = await startServer({ DATABASE_URL: first.dbUrl, PORT: port, DEMO_PORT: "0" });

        // An agent answers through the new process; the page, untouched, shows it.
        const agent = await (await browser.newContext({ locale: "en-GB" })).newPage();
        await signIn(agent, second.url, "agent@example.com");
        await agent.goto(`${second.url}/staff/requests/${requestId}`);
        await agent.getByLabel("Message").fill("Answered after the restart. RESTART-REPLY");
        await agent.getByRole("button", { name: "Send", exact: true }).click();
        await agent.waitForLoadState();

        await customer.getByText("RESTART-REPLY").waitFor({ timeout: 15_000 });
        expect(subscriptions.length).toBeGreaterThanOrEqual(2);
      } finally {
        await browser.close();
        await second?.stop();
        await first.stop();
      }
    },
  );
});
