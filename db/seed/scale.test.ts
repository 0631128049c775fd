import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../server/services/accounts";
import { authenticateApiKey } from "../../server/services/api-keys";
import { feedbackAnalytics } from "../../server/services/feedback";
import { listInbox } from "../../server/services/inbox";
import { getOrder, listOrders } from "../../server/services/orders";
import { matchTotp, totpCode, totpStep } from "../../server/auth/totp";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import {
  plannedCounts,
  ScaleSeedError,
  SCALE_PASSWORD,
  seedScale,
  type ScaleResult,
} from "./scale";

const run = promisify(execFile);
const SCALE = 0.0005;
const NOW = Date.UTC(2026, 5, 1, 12);

let t: TestDb;
let result: ScaleResult;
beforeAll(async () => {
  t = await createTestDb();
  result = await seedScale(t.db, t.url, { scale: SCALE, seed: 7, now: NOW });
});
afterAll(() => t.close());

const count = async (table: string) =>
  Number((await t.db.$client.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
const one = async (sql: string, args: (string | number)[] = []) =>
  (await t.db.$client.execute({ sql, args })).rows[0]!;

describe("seed:scale at a tiny scale", () => {
  it("writes the planned rows, with items, shipments and events for the orders", async () => {
    const planned = plannedCounts(SCALE);
    expect(planned).toMatchObject({ accounts: 50, users: 75, orders: 500, requests: 100 });
    expect(await count("accounts")).toBe(planned.accounts);
    expect(await count("users")).toBe(planned.users);
    expect(await count("orders")).toBe(planned.orders);
    expect(await count("requests")).toBe(planned.requests);
    expect(await count("request_messages")).toBe(planned.messages);
    expect(await count("feedback")).toBe(planned.feedback);
    expect(result.counts.order_items).toBe(await count("order_items"));
    const items = await count("order_items");
    expect(items / planned.orders).toBeGreaterThan(2.2);
    expect(items / planned.orders).toBeLessThan(4);
    expect(await count("shipments")).toBeGreaterThan(planned.orders / 2);
    expect(await count("order_events")).toBeGreaterThan(planned.orders * 2);
    // Every customer is a contact of their account (that is how membership works), staff are not.
    expect(
      await one(
        "SELECT count(*) AS n FROM users u LEFT JOIN contacts c ON c.email = u.email WHERE u.role = 'customer' AND c.account_id IS NOT u.account_id",
      ),
    ).toMatchObject({ n: 0 });
    expect(await one("SELECT count(*) AS n FROM users WHERE role != 'customer'")).toMatchObject({
      n: 3,
    });
  });

  it("leaves no broken reference and keeps each order's totals equal to its lines", async () => {
    const broken = await t.db.$client.execute("PRAGMA foreign_key_check");
    expect(broken.rows).toEqual([]);
    expect(
      await one(
        "SELECT count(*) AS n FROM orders o WHERE o.item_count != (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) OR o.subtotal != (SELECT sum(line_total) FROM order_items i WHERE i.order_id = o.id) OR o.total != o.subtotal + o.shipping - o.discount",
      ),
    ).toMatchObject({ n: 0 });
    // Times stay in the past, and every request's messages start at its opening.
    expect(Number((await one("SELECT max(placed_at) AS t FROM orders")).t)).toBeLessThan(NOW);
    expect(Number((await one("SELECT max(created_at) AS t FROM feedback")).t)).toBeLessThan(NOW);
    expect(
      await one(
        "SELECT count(*) AS n FROM requests r WHERE (SELECT min(created_at) FROM request_messages m WHERE m.request_id = r.id) != r.created_at",
      ),
    ).toMatchObject({ n: 0 });
  });

  it("loads without the rollup triggers, then leaves rollups equal to a recount and the triggers back", async () => {
    const recount = await t.db.$client.execute(
      "SELECT (SELECT count(*) FROM feedback) AS feedback, (SELECT coalesce(sum(n), 0) FROM feedback_daily) AS daily, (SELECT coalesce(sum(n), 0) FROM feedback_weekly) AS weekly, (SELECT count(*) FROM requests) AS requests, (SELECT coalesce(sum(n), 0) FROM request_counts) AS counted, (SELECT count(*) FROM users) AS users, (SELECT coalesce(sum(n), 0) FROM directory_counts WHERE key LIKE 'user:%') AS userCounts",
    );
    const r = recount.rows[0]!;
    expect(Number(r.daily)).toBe(Number(r.feedback));
    expect(Number(r.weekly)).toBe(Number(r.feedback));
    expect(Number(r.counted)).toBe(Number(r.requests));
    expect(Number(r.userCounts)).toBe(Number(r.users));
    const triggers = await t.db.$client.execute(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'feedback_rollup_%' OR name LIKE 'feedback_weekly_%' OR name LIKE 'request_counts_%' OR name LIKE 'directory_counts_%')",
    );
    expect(Number(triggers.rows[0]!.n)).toBe(15);
  });

  it("gives the big business account the most orders, and its customer sees them through the service", async () => {
    const { bigAccount } = result.bench;
    const top = await one(
      "SELECT account_id, count(*) AS n FROM orders GROUP BY account_id ORDER BY n DESC LIMIT 1",
    );
    expect(top.account_id).toBe(bigAccount.id);
    expect(Number(top.n)).toBe(bigAccount.orders);
    expect(await one("SELECT kind FROM accounts WHERE id = ?", [bigAccount.id])).toMatchObject({
      kind: "business",
    });

    const signedIn = await authenticate(t.db, {
      email: bigAccount.customerEmail,
      password: SCALE_PASSWORD,
    });
    const actor = { userId: signedIn.userId, role: "customer", accountId: bigAccount.id } as const;
    const page = await listOrders(t.db, actor, { limit: 20 });
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).not.toBeNull();
    const next = await listOrders(t.db, actor, { limit: 20, cursor: page.nextCursor! });
    expect(next.items[0]!.placedAt).toBeLessThanOrEqual(page.items.at(-1)!.placedAt);
    const order = await getOrder(t.db, actor, page.items[0]!.id);
    expect(order.items.length).toBe(page.items[0]!.itemCount);
  });

  it("fills the staff inbox, its full-text search and the feedback analytics", async () => {
    const agent = await one("SELECT id FROM users WHERE email = ?", [result.bench.agentEmail]);
    const staff = { userId: agent.id as string, role: "agent", accountId: null } as const;
    const inbox = await listInbox(t.db, staff, {
      view: "resolved",
      sort: "activity",
      limit: 25,
    });
    expect(inbox.items.length).toBeGreaterThan(0);

    const [refund] = result.bench.searchTerms;
    expect(refund!.rows).toBeGreaterThan(0);
    const hits = await listInbox(t.db, staff, {
      view: "resolved",
      sort: "activity",
      limit: 100,
      q: "refund",
    });
    expect(hits.items.length).toBeGreaterThan(0);
    const nothing = await listInbox(t.db, staff, {
      view: "resolved",
      sort: "activity",
      limit: 100,
      q: "xylophonequartz",
    });
    expect(nothing.items).toEqual([]);

    const analytics = await feedbackAnalytics(t.db, staff, { from: NOW - 90 * 86_400_000 });
    expect(analytics.nps.total).toBeGreaterThan(0);
    expect(analytics.csat.total).toBeGreaterThan(0);
    expect(analytics.trend.length).toBeGreaterThan(8);
    expect(analytics.bySite.map((s) => s.key)).toContain(result.bench.site.name);
  });

  it("hands the benchmark a working API key, widget site and admin two-factor key", async () => {
    expect(await authenticateApiKey(t.db, result.bench.apiKey.key)).toBe(result.bench.apiKey.id);
    expect(await authenticateApiKey(t.db, `${result.bench.apiKey.key}x`)).toBeNull();
    expect(await one("SELECT key_hash FROM api_keys")).not.toMatchObject({
      key_hash: result.bench.apiKey.key,
    });
    expect(
      await one("SELECT public_key FROM sites WHERE id = ?", [result.bench.site.id]),
    ).toMatchObject({ public_key: result.bench.site.publicKey });
    const admin = await one(
      "SELECT role, totp_secret, totp_enabled_at FROM users WHERE email = ?",
      [result.bench.admin.email],
    );
    expect(admin).toMatchObject({ role: "admin", totp_secret: result.bench.admin.totpSecret });
    expect(admin.totp_enabled_at).not.toBeNull();
    const now = Date.now();
    expect(
      matchTotp(
        result.bench.admin.totpSecret,
        totpCode(result.bench.admin.totpSecret, totpStep(now)),
        now,
      ),
    ).not.toBeNull();
  });

  it("refuses a database that holds data, and changes nothing in it", async () => {
    const before = await count("orders");
    await expect(seedScale(t.db, t.url, { scale: SCALE, seed: 8 })).rejects.toThrow(ScaleSeedError);
    expect(await count("orders")).toBe(before);
    expect(await count("accounts")).toBe(plannedCounts(SCALE).accounts);
  });

  it("makes the same data from the same seed, and other data from another", async () => {
    const ids = async (db: TestDb) =>
      (await db.db.$client.execute("SELECT id, name FROM accounts ORDER BY id")).rows.map(
        (r) => `${r.id as string} ${r.name as string}`,
      );
    const dbs = [await createTestDb(), await createTestDb(), await createTestDb()];
    try {
      const counts = {
        accounts: 20,
        users: 30,
        orders: 50,
        requests: 10,
        messages: 20,
        feedback: 50,
      };
      for (const [i, db] of dbs.entries()) {
        await seedScale(db.db, db.url, { counts, seed: i < 2 ? 7 : 9, now: NOW });
      }
      const [a, b, c] = await Promise.all(dbs.map(ids));
      expect(a).toHaveLength(20);
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
    } finally {
      for (const db of dbs) db.close();
    }
  });
});

describe("npm run seed:scale", () => {
  const cli = (args: string[], url: string) =>
    run("npx", ["tsx", "scripts/seed-scale.ts", ...args], {
      env: { ...process.env, DATABASE_URL: url },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("rejects a bad flag before it opens any database", async () => {
    const file = join(t.dir, "never.db");
    const res = await cli(["--scale", "lots"], `file:${file}`);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("--scale must be a number");
    expect(existsSync(file)).toBe(false);
  });
});
