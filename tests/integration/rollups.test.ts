// The rollups (db/schema/rollups.ts, triggers in migrations 0007 and 0009) against a full recount:
// after a mixed series of writes through the real services, plain INSERTs like the scale seed's,
// updates and deletes, every rollup row equals a GROUP BY over its table, and the analytics, inbox
// counts and staff home answer exactly what the full-scan code before the rollups answered on the same
// data, also over ranges with ragged ends read from several tiers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, count, desc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { openDb, type Db } from "../../db/client";
import { newId } from "../../db/ids";
import { migrateDb } from "../../db/migrate";
import { accounts, feedback, requests, sites, users } from "../../db/schema";
import type { StaffActor } from "../../server/actor";
import { widgetRouter } from "../../server/routers/widget";
import { rangeFacts, rangePieces, type AnalyticsInput } from "../../server/services/feedback";
import { inboxCounts } from "../../server/services/inbox";
import { upsertOrder } from "../../server/services/ingest";
import { orderBody } from "../factories/orders";
import { createUser } from "../factories/people";
import { supportCast } from "../factories/requests";
import { callerAs } from "../helpers/caller";
import { createTestDb, type TestDb } from "../helpers/db";
import { migrationsUpTo } from "../helpers/migrations";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

/** Every rollup table beside the same figures counted from the base tables, both sorted alike. */
async function rollupsAndRecounts(db: Db) {
  const q = async (query: string) => (await db.$client.execute(query)).rows.map((r) => ({ ...r }));
  const day = "created_at - created_at % 86400000";
  const week = "created_at - created_at % 604800000";
  const keys = (dimension: string, column: string, period = day, name = "day") =>
    `select '${dimension}' as dimension, ${period} as ${name}, coalesce(site_id, '') as site_id, ${column} as value, count(*) as n, coalesce(sum(score), 0) as score_sum, count(score) as score_count from feedback where ${column} is not null and ${column} <> '' group by 1, 2, 3, 4`;
  const allKeys = (period?: string, name?: string) =>
    `select * from (${keys("page", "page_url", period, name)} union all ${keys("product", "product_ref", period, name)} union all ${keys("locale", "locale", period, name)}) order by 1, 2, 3, 4`;
  return {
    feedbackDaily: [
      await q("select day, site_id, kind, score, n from feedback_daily order by 1, 2, 3, 4"),
      await q(
        `select ${day} as day, coalesce(site_id, '') as site_id, kind, coalesce(score, -1) as score, count(*) as n from feedback group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
      ),
    ],
    feedbackDailyKeys: [
      await q(
        "select dimension, day, site_id, value, n, score_sum, score_count from feedback_daily_keys order by 1, 2, 3, 4",
      ),
      await q(allKeys()),
    ],
    feedbackWeekly: [
      await q("select week, site_id, kind, score, n from feedback_weekly order by 1, 2, 3, 4"),
      await q(
        `select ${week} as week, coalesce(site_id, '') as site_id, kind, coalesce(score, -1) as score, count(*) as n from feedback group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
      ),
    ],
    feedbackWeeklyKeys: [
      await q(
        "select dimension, week, site_id, value, n, score_sum, score_count from feedback_weekly_keys order by 1, 2, 3, 4",
      ),
      await q(allKeys(week, "week")),
    ],
    feedbackFourWeeklyKeys: [
      await q(
        "select dimension, start, site_id, value, n, score_sum, score_count from feedback_four_weekly_keys order by 1, 2, 3, 4",
      ),
      await q(allKeys("created_at - created_at % 2419200000", "start")),
    ],
    requestCounts: [
      await q("select status, assignee_id, n from request_counts order by 1, 2"),
      await q(
        "select status, coalesce(assignee_id, '') as assignee_id, count(*) as n from requests group by 1, 2 order by 1, 2",
      ),
    ],
    directoryCounts: [
      await q("select key, n from directory_counts order by 1"),
      await q(
        "select * from (select 'account:' || kind as key, count(*) as n from accounts group by kind union all select 'user:' || role, count(*) from users group by role) order by 1",
      ),
    ],
  };
}

async function expectRollupsMatchRecount(db: Db) {
  const all = await rollupsAndRecounts(db);
  for (const [name, [rollup, recount]] of Object.entries(all)) {
    expect(rollup, name).toEqual(recount);
  }
  return all;
}

// ---- The code the rollups replaced, kept as the reference (server/services/feedback.ts, inbox.ts and
// staff.ts before migration 0007). ----

function filters(input: AnalyticsInput): SQL[] {
  const where: SQL[] = [];
  if (input.from !== undefined) where.push(gte(feedback.createdAt, input.from));
  if (input.to !== undefined) where.push(lt(feedback.createdAt, input.to));
  if (input.siteId) where.push(eq(feedback.siteId, input.siteId));
  return where;
}

async function fullScanAnalytics(db: Db, input: AnalyticsInput) {
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
  // The rollups list ten named values (the old query counted "none" among its ten, then hid it).
  const breakdown = (column: SQL | typeof feedback.locale, named = true) =>
    db
      .select({
        key: sql<string | null>`${column}`,
        n: sql<number>`count(*)`,
        average: sql<number | null>`round(avg(${feedback.score}), 1)`,
      })
      .from(feedback)
      .leftJoin(sites, eq(sites.id, feedback.siteId))
      .where(and(where, named ? sql`${column} <> ''` : undefined))
      .groupBy(sql`1`)
      // Ties by key, as the service breaks them (the old query left them to SQLite).
      .orderBy(desc(sql`2`), sql`1`)
      .limit(10);
  const [bySite, byPage, byProduct, byLocale] = await Promise.all([
    breakdown(sql`coalesce(${sites.name}, 'Portal')`, false),
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

async function fullScanInboxCounts(db: Db, actor: StaffActor) {
  const [row] = await db
    .select({
      mine: sql<number>`sum(case when ${requests.assigneeId} = ${actor.userId} and ${requests.status} in ('open', 'pending') then 1 else 0 end)`,
      unassigned: sql<number>`sum(case when ${requests.assigneeId} is null and ${requests.status} in ('open', 'pending') then 1 else 0 end)`,
      open: sql<number>`sum(case when ${requests.status} in ('open', 'pending') then 1 else 0 end)`,
      pending: sql<number>`sum(case when ${requests.status} = 'pending' then 1 else 0 end)`,
      resolved: sql<number>`sum(case when ${requests.status} in ('resolved', 'closed') then 1 else 0 end)`,
    })
    .from(requests);
  return {
    mine: Number(row?.mine ?? 0),
    unassigned: Number(row?.unassigned ?? 0),
    open: Number(row?.open ?? 0),
    pending: Number(row?.pending ?? 0),
    resolved: Number(row?.resolved ?? 0),
  };
}

async function fullScanStaffHome(db: Db) {
  const [accountRows, customerRows, staffRows] = await Promise.all([
    db.select({ kind: accounts.kind, n: count() }).from(accounts).groupBy(accounts.kind),
    db.select({ n: count() }).from(users).where(eq(users.role, "customer")),
    db
      .select({ n: count() })
      .from(users)
      .where(inArray(users.role, ["agent", "admin"])),
  ]);
  const accountsOf = (kind: string) => accountRows.find((r) => r.kind === kind)?.n ?? 0;
  return {
    personAccounts: accountsOf("person"),
    businessAccounts: accountsOf("business"),
    customers: customerRows[0]?.n ?? 0,
    staff: staffRows[0]?.n ?? 0,
  };
}

/** Breakdowns in one order (count, then key): the old query left the order of ties to SQLite. */
function comparable(a: Awaited<ReturnType<typeof fullScanAnalytics>>) {
  const sorted = (rows: { key: string | null; n: number; average: number | null }[]) =>
    rows
      .map((r) => ({ key: r.key, n: Number(r.n), average: r.average }))
      .sort((x, y) => y.n - x.n || String(x.key).localeCompare(String(y.key)));
  return {
    ...a,
    bySite: sorted(a.bySite),
    byPage: sorted(a.byPage),
    byProduct: sorted(a.byProduct),
    byLocale: sorted(a.byLocale),
  };
}

// ---- The writes. ----

/** Plain INSERTs the way the scale seed writes feedback: any day, any site, no services. */
async function seedFeedback(db: Db, siteIds: (string | null)[], base: number, count: number) {
  const kinds = ["nps", "csat", "rating", "comment"] as const;
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % 4]!;
    await db.insert(feedback).values({
      id: newId(),
      kind,
      score: kind === "comment" ? null : kind === "nps" ? (i * 7) % 11 : (i % 5) + 1,
      comment: kind === "comment" ? `Comment ${i}` : null,
      siteId: siteIds[i % siteIds.length] ?? null,
      pageUrl: i % 6 === 0 ? null : `https://shop.test/p/${i % 5}`,
      productRef: i % 4 === 0 ? "" : `P-${i % 3}`,
      locale: i % 7 === 0 ? null : i % 2 ? "is" : "en",
      // Spread over 40 days, at odd times of day.
      createdAt: base - (i % 40) * DAY - ((i * 3_600_007) % DAY),
    });
  }
}

async function mixedWrites(db: Db) {
  const cast = await supportCast(db);
  const as = (user: Parameters<typeof callerAs>[1]) => callerAs(db, user).caller;
  const admin = as(cast.admin);
  const shopId = await admin.staff.sites.create({
    name: "Shop",
    allowedOrigins: ["https://a.test"],
  });
  const otherId = await admin.staff.sites.create({
    name: "Blog",
    allowedOrigins: ["https://b.test"],
  });
  const [shop] = await db.select().from(sites).where(eq(sites.id, shopId));
  const widget = widgetRouter.createCaller({ db, origin: "https://a.test", ip: "192.0.2.4" });

  // Requests: portal and widget, then status changes, reassignments, replies, a deactivated agent.
  const second = await createUser(db, { role: "agent", name: "Second Agent" });
  const opened = [];
  for (let i = 0; i < 6; i++) {
    const who = i % 2 ? cast.alda : cast.bara;
    opened.push(await as(who).portal.requests.create({ subject: `Q ${i}`, message: "Help" }));
  }
  await widget.request({
    site: shop!.publicKey,
    subject: "From the widget",
    message: "Hello",
    email: "visitor@example.com",
    idempotencyKey: "widget-request-0001",
  });
  const agent = as(cast.agent).staff.requests;
  await agent.update({ id: opened[0]!.id, assigneeId: cast.agent.id, status: "pending" });
  await agent.update({ id: opened[1]!.id, assigneeId: second.id });
  await agent.update({ id: opened[1]!.id, assigneeId: cast.agent.id });
  await agent.reply({ id: opened[2]!.id, kind: "public", message: "Done", status: "resolved" });
  await agent.update({ id: opened[3]!.id, status: "closed", assigneeId: second.id });
  await agent.update({ id: opened[4]!.id, assigneeId: second.id, priority: "urgent" });
  await as(cast.bara).portal.requests.resolve({ id: opened[4]!.id });
  await as(cast.bara).portal.requests.reopen({ id: opened[4]!.id });
  await admin.staff.admin.setStaffActive({ id: second.id, active: false });

  // Feedback through every door: widget (each kind), portal, CSAT given twice (replaced), an order
  // rated twice (replaced), follow-ups (which change no counted column).
  for (let i = 0; i < 9; i++) {
    await widget.feedback({
      site: shop!.publicKey,
      kind: (["nps", "rating", "comment"] as const)[i % 3]!,
      score: i % 3 === 0 ? i : i % 3 === 1 ? (i % 5) + 1 : undefined,
      comment: i % 3 === 2 ? "Nice" : undefined,
      pageUrl: `https://a.test/p/${i % 2}`,
      product: i % 2 ? "P-1" : undefined,
      locale: i % 2 ? "is" : "en",
      idempotencyKey: `widget-feedback-${String(i).padStart(4, "0")}`,
    });
  }
  const alda = as(cast.alda);
  await alda.portal.feedback.give({ kind: "nps", score: 3, comment: "Slow" });
  await alda.portal.feedback.give({ kind: "comment", comment: "Thanks" });
  await as(cast.bara).portal.requests.rate({ id: opened[2]!.id, score: 2 });
  await as(cast.bara).portal.requests.rate({ id: opened[2]!.id, score: 5, comment: "Better" });
  const [account] = await db
    .select({ externalId: accounts.externalId })
    .from(accounts)
    .where(eq(accounts.id, cast.accountA));
  const order = await upsertOrder(
    db,
    "EXT-ROLLUP-1",
    orderBody(account!.externalId!, { status: "delivered" }),
  );
  await alda.portal.feedback.give({ kind: "rating", score: 1, orderId: order.id });
  await alda.portal.feedback.give({ kind: "rating", score: 4, orderId: order.id });
  const [unhappy] = await as(cast.agent).staff.feedback.needsFollowUp();
  if (unhappy) await as(cast.agent).staff.feedback.toRequest({ id: unhappy.id });

  // Plain INSERTs over many days, then updates and deletes of every counted column.
  await seedFeedback(db, [shopId, otherId, null], Date.UTC(2026, 2, 10, 15), 160);
  const some = await db.select({ id: feedback.id }).from(feedback).limit(40);
  for (const [i, { id }] of some.entries()) {
    if (i % 5 === 0) await db.update(feedback).set({ score: 10 }).where(eq(feedback.id, id));
    if (i % 5 === 1)
      await db
        .update(feedback)
        .set({ createdAt: Date.UTC(2026, 0, 1) })
        .where(eq(feedback.id, id));
    if (i % 5 === 2)
      await db
        .update(feedback)
        .set({ pageUrl: "https://a.test/moved", locale: null })
        .where(eq(feedback.id, id));
    if (i % 5 === 3)
      await db.update(feedback).set({ kind: "nps", siteId: otherId }).where(eq(feedback.id, id));
    if (i % 5 === 4) await db.delete(feedback).where(eq(feedback.id, id));
  }
  // A site's feedback moved to no site at all (what removing a site would do).
  await db.update(feedback).set({ siteId: null }).where(eq(feedback.siteId, otherId));
  // A request deleted, with its CSAT (cascade), and one given plainly.
  await db.delete(requests).where(eq(requests.id, opened[2]!.id));
  await db.update(requests).set({ status: "pending" }).where(eq(requests.id, opened[5]!.id));

  // People: staff role changes, a new business account, a customer's own deletion.
  await admin.staff.admin.setStaffRole({ id: cast.agent.id, role: "admin" });
  await admin.staff.admin.setStaffRole({ id: cast.agent.id, role: "agent" });
  await db.update(accounts).set({ kind: "person" }).where(eq(accounts.id, cast.accountB));
  const leaving = await createUser(db, {});
  await db.delete(users).where(eq(users.id, leaving.id));
  return { cast, shopId, agents: [cast.agent, cast.admin, second] };
}

describe("rollups", () => {
  it("equal a full recount after inserts, updates and deletes through every writer", async () => {
    const { cast, shopId, agents } = await mixedWrites(t.db);
    const all = await expectRollupsMatchRecount(t.db);
    // The data set reaches every rollup, so the comparison above is not of empty tables.
    for (const [name, [rollup]] of Object.entries(all))
      expect(rollup!.length, name).toBeGreaterThan(2);

    const staff = callerAs(t.db, cast.agent).caller.staff;
    const start = Date.UTC(2026, 1, 20);
    const filterSets: AnalyticsInput[] = [
      {},
      { siteId: shopId },
      { from: start, to: start + 30 * DAY },
      { from: start + 3 * DAY + 12_345, to: start + 19 * DAY + 6 * 3_600_000 },
      { from: start + 5 * DAY + 1_000, to: start + 5 * DAY + 20 * 3_600_000 },
      { from: start + 7 * DAY + 1 },
      { to: start + 17 * DAY - 1, siteId: shopId },
      { from: Date.now() - 90 * DAY, to: Date.now() },
      { siteId: "no-such-site" },
    ];
    for (const input of filterSets) {
      const now = await staff.feedback.analytics(input);
      expect(comparable(now), JSON.stringify(input)).toEqual(
        comparable(await fullScanAnalytics(t.db, input)),
      );
    }
    // The answers are not empty: NPS, CSAT, ratings and every breakdown have data.
    const whole = await staff.feedback.analytics({});
    expect(whole.nps.total).toBeGreaterThan(0);
    expect(whole.csat.total).toBeGreaterThan(0);
    expect(whole.ratings.some((r) => r.n > 0)).toBe(true);
    expect([whole.byPage, whole.byProduct, whole.byLocale].every((b) => b.length > 0)).toBe(true);

    for (const user of agents) {
      const actor: StaffActor = { userId: user.id, role: "agent", accountId: null };
      expect(await inboxCounts(t.db, actor), user.name).toEqual(
        await fullScanInboxCounts(t.db, actor),
      );
    }
    expect(await callerAs(t.db, cast.admin).caller.staff.home.overview()).toEqual(
      await fullScanStaffHome(t.db),
    );
  });

  it("answer ranges with ragged ends from signed four-weeks, weeks, days and rows exactly as a direct count", async () => {
    const cast = await supportCast(t.db);
    const shopId = await callerAs(t.db, cast.admin).caller.staff.sites.create({
      name: "Shop",
      allowedOrigins: ["https://a.test"],
    });
    // Ten weeks of feedback, six answers a day at 01, 05, 09, 13, 17 and 21 o'clock UTC.
    const week0 = Math.floor(Date.UTC(2026, 1, 1) / WEEK) * WEEK;
    const kinds = ["nps", "csat", "rating", "comment"] as const;
    const rows = Array.from({ length: 70 * 6 }, (_, i) => {
      const kind = kinds[i % 4]!;
      return {
        id: newId(),
        kind,
        score: kind === "comment" ? null : kind === "nps" ? (i * 7) % 11 : (i % 5) + 1,
        siteId: i % 3 ? shopId : null,
        pageUrl: `https://a.test/p/${(i * 13) % 17}`,
        productRef: i % 5 ? `P-${(i * 7) % 11}` : null,
        locale: i % 2 ? "is" : "en",
        createdAt: week0 + Math.floor(i / 6) * DAY + ((i % 6) * 4 + 1) * HOUR + i,
      };
    });
    for (let i = 0; i < rows.length; i += 100)
      await t.db.insert(feedback).values(rows.slice(i, i + 100));
    const newest = week0 + 70 * DAY;

    const filterSets: AnalyticsInput[] = [
      // Every end squared outward: an hour of rows and a day taken away at each end.
      { from: week0 + DAY + 2 * HOUR, to: week0 + 6 * WEEK + 5 * DAY + 23 * HOUR },
      // Squared inward: the rest of the day and the days to the week added.
      { from: week0 + 3 * DAY + 12 * HOUR, to: week0 + 2 * WEEK + 3 * DAY + 12 * HOUR },
      // A range to beyond the newest answer (as "the last 90 days" ends now): the empty rest of its
      // day and week are taken away.
      { from: week0 + 2 * WEEK + 6 * DAY + 3 * HOUR, to: newest + 5 * HOUR },
      // Inside one week; inside one day; open at one end; one site; ends on midnights.
      { from: week0 + 4 * WEEK + DAY + 5 * HOUR, to: week0 + 4 * WEEK + 4 * DAY + 7 * HOUR },
      { from: week0 + 9 * DAY + 2 * HOUR, to: week0 + 9 * DAY + 22 * HOUR },
      { from: week0 + 5 * DAY + 1 },
      { to: week0 + 3 * WEEK + 2 * DAY + 1 },
      { from: week0 + DAY + 2 * HOUR, to: week0 + 8 * WEEK + 23 * HOUR, siteId: shopId },
      { from: week0 + 6 * DAY, to: week0 + 5 * WEEK + DAY },
    ];
    // Each tier read, added and taken away: "7-" is a week taken away, "0+" rows added.
    const seen = new Set<string>();
    const staff = callerAs(t.db, cast.agent).caller.staff;
    for (const input of filterSets) {
      const facts = await rangeFacts(t.db, input);
      for (const coarsest of [7, 28] as const)
        for (const p of rangePieces(input, facts, coarsest))
          seen.add(`${p.tier}${p.sign < 0 ? "-" : "+"}`);
      const result = await staff.feedback.analytics(input);
      expect(comparable(result), JSON.stringify(input)).toEqual(
        comparable(await fullScanAnalytics(t.db, input)),
      );
    }
    // A range that ends before it starts is refused, not answered as empty figures.
    await expect(
      staff.feedback.analytics({ from: week0 + 5 * WEEK, to: week0 + 2 * WEEK }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Every kind of piece was read, so the comparisons above cover each way of squaring an end.
    expect([...seen].sort()).toEqual(["0+", "0-", "1+", "1-", "28+", "7+", "7-"]);
    const first = await staff.feedback.analytics(filterSets[0]!);
    expect(first.nps.total).toBeGreaterThan(0);
    expect(first.trend.length).toBeGreaterThan(5);
    expect(first.byPage).toHaveLength(10);
  });

  it("are filled from the rows already there when an existing database is migrated", async () => {
    // A database of the previous release (migrations to 0006) with data written before any trigger.
    const dir = mkdtempSync(join(tmpdir(), "tengsl-rollups-"));
    const db = await openDb({ url: `file:${join(dir, "old.db")}` });
    onTestFinished(() => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await migrateDb(db, migrationsUpTo(dir, "0006_hardening"));
    const tables = "select name from sqlite_master where name = 'feedback_daily'";
    expect((await db.$client.execute(tables)).rows).toHaveLength(0);
    const cast = await supportCast(db);
    // Plain SQL: the current schema's insert would name columns the old tables do not have yet.
    for (const [i, status] of (["open", "pending", "resolved", "open"] as const).entries()) {
      await db.$client.execute({
        sql: `insert into requests (id, number, account_id, requester_name, subject, status, priority,
                assignee_id, channel, first_response_due_at, last_activity_at, created_at)
              values (?, ?, ?, 'A', 'S', ?, 'normal', ?, 'portal', 1, 1, 1)`,
        args: [newId(), 1001 + i, cast.accountA, status, i % 2 ? cast.agent.id : null],
      });
    }
    await seedFeedback(db, [null], Date.UTC(2026, 3, 1), 50);

    await migrateDb(db);
    await expectRollupsMatchRecount(db);
    // And the triggers keep them right from then on.
    await seedFeedback(db, [null], Date.UTC(2026, 3, 20), 10);
    await db.update(requests).set({ status: "closed" }).where(eq(requests.number, 1001));
    await expectRollupsMatchRecount(db);
  });
});
