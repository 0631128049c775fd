// Every list, search and count the app issues over the big tables, planned by SQLite itself: the SQL is
// captured from the real routers and services (the test's client records them), so a changed query
// is checked as it now is. At issue-7 scale (1M orders, 3M items, 200k requests, 1M messages, 2M
// feedback) a full scan of one of those tables, or a sort of a keyset page, is a slow page.
import type { Client, InArgs, InStatement, TransactionMode } from "@libsql/client";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_VALUE, type Db, type ReadValue } from "../../db/client";
import * as schema from "../../db/schema";
import type { User } from "../../server/auth/session";
import { upsertOrder } from "../../server/services/ingest";
import { encodeCursor } from "../../server/services/cursor";
import { orderBody } from "../factories/orders";
import { supportCast } from "../factories/requests";
import { callerAs } from "../helpers/caller";
import { createTestDb, type TestDb } from "../helpers/db";
import { widgetRouter } from "../../server/routers/widget";

/** The tables that hold millions of rows at scale: none of them may be read whole. */
const BIG = ["orders", "order_items", "requests", "request_messages", "feedback"];

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
let captured: { sql: string; params: unknown[] }[] = [];

/** The client, and the transactions it opens, with every statement also pushed to `captured`. */
function recording<C extends Pick<Client, "execute" | "batch">>(client: C): C {
  const record = (stmt: InStatement) =>
    captured.push(
      typeof stmt === "string"
        ? { sql: stmt, params: [] }
        : { sql: stmt.sql, params: (stmt.args ?? []) as unknown[] },
    );
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === READ_VALUE)
        return (sql: string, args: InArgs) => {
          record({ sql, args });
          return (value as ReadValue)(sql, args);
        };
      if (prop === "execute")
        return (stmt: InStatement) => {
          record(stmt);
          return target.execute(stmt);
        };
      if (prop === "batch")
        return (stmts: InStatement[], mode?: TransactionMode) => {
          stmts.forEach(record);
          return target.batch(stmts, mode);
        };
      if (prop === "transaction")
        return async (mode?: TransactionMode) =>
          recording(await (target as unknown as Client).transaction(mode));
      return (value as () => unknown).bind(target);
    },
  });
}
type Caller = ReturnType<typeof callerAs>["caller"];
let logged: Db;
const ids = { order: "", request: "", site: "", category: "", feedback: "" };

beforeAll(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
  // The same client, recording every statement sent to it (by Drizzle, or as SQL built once by
  // db/prepared.ts): what the services send is what gets planned.
  const client = recording(t.db.$client);
  logged = Object.assign(drizzle(client), { $client: client });

  const [account] = await t.db
    .select({ externalId: schema.accounts.externalId })
    .from(schema.accounts)
    .where(eq(schema.accounts.id, cast.accountA));
  for (let i = 0; i < 30; i++) {
    const order = await upsertOrder(
      t.db,
      `EXT-${i}`,
      orderBody(account!.externalId!, { status: i % 3 ? "delivered" : "processing" }),
    );
    ids.order = order.id;
  }
  const alda = callerAs(t.db, cast.alda).caller;
  for (let i = 0; i < 6; i++) {
    const r = await alda.portal.requests.create({
      subject: `Pakki ${i}`,
      message: "Hvar er hann?",
    });
    ids.request = r.id;
  }
  const admin = callerAs(t.db, cast.admin).caller;
  await admin.staff.admin.createCategory({ nameEn: "Billing", nameIs: "Reikningar" });
  ids.category = (await t.db.select().from(schema.categories))[0]!.id;
  ids.site = await admin.staff.sites.create({
    name: "Shop",
    allowedOrigins: ["https://shop.test"],
  });
  const [site] = await t.db.select().from(schema.sites).where(eq(schema.sites.id, ids.site));
  const widget = widgetRouter.createCaller({
    db: t.db,
    origin: "https://shop.test",
    ip: "192.0.2.9",
  });
  for (let i = 0; i < 12; i++) {
    await widget.feedback({
      site: site!.publicKey,
      kind: (["nps", "rating", "comment"] as const)[i % 3]!,
      score: i % 3 === 0 ? i % 11 : i % 3 === 1 ? (i % 5) + 1 : undefined,
      comment: i % 3 === 2 ? `Comment ${i}` : undefined,
      pageUrl: `https://shop.test/p/${i % 4}`,
      product: `P-${i % 4}`,
      idempotencyKey: `plan-key-${String(i).padStart(8, "0")}`,
    });
  }
  const [row] = await t.db.select({ id: schema.feedback.id }).from(schema.feedback).limit(1);
  ids.feedback = row!.id;
});
afterAll(() => t.close());

interface Finding {
  sql: string;
  plan: string[];
  problem: string;
}

/** Tables whose lists are keyset pages: their ORDER BY must come from an index, never a sort. */
const PAGED = [...BIG, "audit_log"];

/**
 * Runs `call` as `user`, then plans every SELECT it sent. A big table is read only through an index
 * lookup (SEARCH), or walked in index order where `walks` names that index (an ordered page that stops at
 * its LIMIT, or a partial index that holds only the view's rows). With `keyset`, a page ordered by a
 * column of a paged table may not be sorted in a temp B-tree.
 */
async function plansOf(
  user: User,
  call: (caller: Caller) => Promise<unknown>,
  { keyset = true, walks = [] }: Options = {},
) {
  captured = [];
  await call(callerAs(logged, user).caller);
  const selects = captured.filter((q) => /^\s*(select|with)\b/i.test(q.sql));
  expect(selects.length, "the call ran queries").toBeGreaterThan(0);
  const findings: Finding[] = [];
  for (const q of selects) {
    const result = await t.db.$client.execute({
      sql: `explain query plan ${q.sql}`,
      args: q.params as never,
    });
    const plan = result.rows.map((r) => r.detail as string);
    const orderedBy = /\border by "(\w+)"\./i.exec(q.sql)?.[1];
    for (const line of plan) {
      const scan = /^SCAN (?:TABLE )?(\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX (\w+))?/.exec(
        line,
      );
      if (scan && BIG.includes(scan[1]!) && !(scan[2] && walks.includes(scan[2])))
        findings.push({
          sql: q.sql,
          plan,
          problem: `${scan[2] ? "walk" : "full scan"} of ${scan[1]}`,
        });
      if (
        keyset &&
        orderedBy &&
        PAGED.includes(orderedBy) &&
        /TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/.test(line)
      )
        findings.push({ sql: q.sql, plan, problem: "keyset page sorted in a temp B-tree" });
    }
    // A later page starts at a range seek (the cursor, or a date bound), not after walking the
    // earlier pages from the top.
    if (
      /\("\w+"\."\w+", "\w+"\."\w+"\) [<>] \(\?, \?\)/.test(q.sql) &&
      !plan.some((l) => /^SEARCH \w+ USING .*\(.*[<>].*\)/.test(l))
    )
      findings.push({ sql: q.sql, plan, problem: "cursor is not an index seek" });
  }
  return findings;
}

const cursor = encodeCursor({ at: Date.now(), id: "zzzzzzzz" });
interface Options {
  keyset?: boolean;
  walks?: string[];
}
type Case = [string, "customer" | "agent" | "admin", (c: Caller) => Promise<unknown>, Options?];

/** The partial index each inbox view walks in its sort order (db/schema/requests.ts). */
const viewIndex = (view: string, sort: "activity" | "due") =>
  `requests_${view === "resolved" ? "done" : "active"}_${sort}_idx`;
const openWalk = { walks: ["requests_active_activity_idx"] };

const cases: Case[] = [
  // Portal: orders with each filter and search, a later page, one order, the home overview.
  ["orders.list", "customer", (c) => c.portal.orders.list({})],
  ["orders.list status", "customer", (c) => c.portal.orders.list({ status: "delivered" })],
  ["orders.list dates", "customer", (c) => c.portal.orders.list({ from: 1, to: Date.now() })],
  ["orders.list number", "customer", (c) => c.portal.orders.list({ q: "#T-1" })],
  ["orders.list product", "customer", (c) => c.portal.orders.list({ q: "peysa" })],
  ["orders.list page 2", "customer", (c) => c.portal.orders.list({ cursor })],
  [
    "orders.list all filters",
    "customer",
    (c) => c.portal.orders.list({ status: "processing", from: 1, to: Date.now(), q: "x", cursor }),
  ],
  ["orders.byId", "customer", (c) => c.portal.orders.byId({ id: ids.order })],
  ["orders.overview", "customer", (c) => c.portal.orders.overview()],
  // Portal: requests, one request with its thread, feedback history, orders to rate.
  ["requests.list", "customer", (c) => c.portal.requests.list({})],
  ["requests.list status", "customer", (c) => c.portal.requests.list({ status: "open", cursor })],
  ["requests.byId", "customer", (c) => c.portal.requests.byId({ id: ids.request })],
  ["feedback.mine", "customer", (c) => c.portal.feedback.mine()],
  ["feedback.ordersToRate", "customer", (c) => c.portal.feedback.ordersToRate()],
  // Staff inbox: every view in both sorts, every filter, a later page, the search, the counts.
  ...(["mine", "unassigned", "open", "pending", "resolved"] as const).flatMap((view) =>
    (["activity", "due"] as const).flatMap((sort): Case[] => [
      [
        `inbox ${view} by ${sort}`,
        "agent",
        (c) => c.staff.requests.inbox({ view, sort }),
        { walks: [viewIndex(view, sort)] },
      ],
      [
        `inbox ${view} by ${sort} page 2`,
        "agent",
        (c) => c.staff.requests.inbox({ view, sort, cursor }),
      ],
    ]),
  ),
  [
    "inbox status",
    "agent",
    (c) => c.staff.requests.inbox({ view: "open", status: "pending" }),
    openWalk,
  ],
  ["inbox priority", "agent", (c) => c.staff.requests.inbox({ priority: "urgent" }), openWalk],
  [
    "inbox category",
    "agent",
    (c) => c.staff.requests.inbox({ categoryId: ids.category }),
    openWalk,
  ],
  ["inbox assignee", "agent", (c) => c.staff.requests.inbox({ assigneeId: cast.agent.id })],
  ["inbox channel", "agent", (c) => c.staff.requests.inbox({ channel: "widget" }), openWalk],
  // Full-text search by latest activity: the view's index of matches walked in its own order, so a
  // page is never sorted, however many requests match (docs/decisions/023).
  ["inbox search", "agent", (c) => c.staff.requests.inbox({ q: "pakki" })],
  [
    "inbox search page 2",
    "agent",
    (c) => c.staff.requests.inbox({ q: "pakki", cursor: encodeCursor({ at: 1e9, id: "z" }) }),
  ],
  [
    "inbox search resolved",
    "agent",
    (c) => c.staff.requests.inbox({ view: "resolved", q: "hvar" }),
  ],
  // By due time or by number: the matches are sorted (bounded by the search), not the whole view.
  [
    "inbox search number",
    "agent",
    (c) => c.staff.requests.inbox({ q: "#1001" }),
    { keyset: false },
  ],
  [
    "inbox search resolved by due",
    "agent",
    (c) => c.staff.requests.inbox({ view: "resolved", sort: "due", q: "hvar" }),
    { keyset: false },
  ],
  ["inbox counts", "agent", (c) => c.staff.requests.counts(), { keyset: false }],
  ["staff request view", "agent", (c) => c.staff.requests.byId({ id: ids.request })],
  ["staff order view", "agent", (c) => c.staff.requests.order({ id: ids.order })],
  ["customer 360", "agent", (c) => c.staff.requests.account({ id: cast.accountA })],
  ["staff home", "admin", (c) => c.staff.home.overview(), { keyset: false }],
  // Feedback: analytics (aggregates, so sorting their few rows is fine), stream pages, export, follow-up.
  ["feedback analytics", "agent", (c) => c.staff.feedback.analytics({}), { keyset: false }],
  [
    "feedback analytics 90 days",
    "agent",
    (c) => c.staff.feedback.analytics({ from: Date.now() - 90 * 86_400_000, to: Date.now() }),
    { keyset: false },
  ],
  [
    "feedback analytics site",
    "agent",
    (c) => c.staff.feedback.analytics({ siteId: ids.site, from: 86_400_000 * 3 + 5 }),
    { keyset: false },
  ],
  [
    "feedback stream",
    "agent",
    (c) => c.staff.feedback.stream({}),
    { walks: ["feedback_created_idx"] },
  ],
  ["feedback stream site", "agent", (c) => c.staff.feedback.stream({ siteId: ids.site, cursor })],
  [
    "feedback stream dates",
    "agent",
    (c) => c.staff.feedback.stream({ from: 1, to: Date.now(), cursor }),
  ],
  [
    "feedback export",
    "agent",
    (c) => c.staff.feedback.stream({ forExport: true, limit: 500, siteId: ids.site }),
  ],
  [
    "feedback needs follow-up",
    "agent",
    (c) => c.staff.feedback.needsFollowUp(),
    { walks: ["feedback_follow_up_idx"] },
  ],
  // Admin: the audit log with each filter, the widget-abuse rates.
  ["audit list", "admin", (c) => c.staff.audit.list({})],
  ["audit action", "admin", (c) => c.staff.audit.list({ action: "feedback.exported", cursor })],
  ["audit actor", "admin", (c) => c.staff.audit.list({ actor: "agent" })],
  ["audit subject", "admin", (c) => c.staff.audit.list({ subjectId: ids.request })],
  ["audit dates", "admin", (c) => c.staff.audit.list({ from: 1, to: Date.now(), cursor })],
  ["widget-abuse rates", "admin", (c) => c.staff.sites.rates({ id: ids.site }), { keyset: false }],
];

describe("query plans on the big tables", () => {
  it.each(cases)("%s reads through indexes", async (_name, who, call, options = {}) => {
    const user = who === "customer" ? cast.alda : who === "agent" ? cast.agent : cast.admin;
    const findings = await plansOf(user, call, options);
    expect(findings.map((f) => `${f.problem}\n  ${f.sql}\n  ${f.plan.join("\n  ")}`)).toEqual([]);
  });

  it("catches a full scan and a sorted keyset page (the guard itself works)", async () => {
    const findings = await plansOf(cast.agent, async () => {
      await logged
        .select()
        .from(schema.feedback)
        .where(sql`${schema.feedback.comment} = 'x'`);
      await logged
        .select()
        .from(schema.requests)
        .where(sql`${schema.requests.accountId} = 'x'`)
        .orderBy(schema.requests.subject)
        .limit(5);
    });
    expect(findings.map((f) => f.problem)).toEqual([
      "full scan of feedback",
      "keyset page sorted in a temp B-tree",
    ]);
  });
});
