import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { count, eq, like } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../../db/client";
import { newId } from "../../db/ids";
import { auditLog, feedback, rateLimits, requests, sites, widgetBlocks } from "../../db/schema";
import { CHECK_EVERY_MS, VersionedCache } from "../../db/versioned-cache";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { widgetRouter } from "../routers/widget";
import { identityHashMatches } from "./widget";
import {
  activeBlocks,
  blockSender,
  HOUR_MS,
  markSpikes,
  normalizeIp,
  refuseBlocked,
  submissionRates,
  unblockSender,
} from "./widget-abuse";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
let site: typeof sites.$inferSelect;
let other: typeof sites.$inferSelect;
const shop = "https://shop.example.com";
const admin = () => callerAs(t.db, cast.admin).caller.staff.sites;
const adminActor = () => ({ userId: cast.admin.id, role: "admin" as const, accountId: null });
const siteRow = async (id: string) => (await t.db.select().from(sites).where(eq(sites.id, id)))[0]!;

beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
  site = await siteRow(await admin().create({ name: "Shop", allowedOrigins: [shop] }));
  other = await siteRow(
    await admin().create({ name: "Other", allowedOrigins: ["https://other.example.com"] }),
  );
});
afterEach(() => t.close());

const widget = (ip = "198.51.100.7", origin = shop) =>
  widgetRouter.createCaller({ db: t.db, origin, ip });
let n = 0;
const key = () => `abuse-${String(++n).padStart(12, "0")}`;
const rating = (extra: object = {}) => ({
  site: site.publicKey,
  idempotencyKey: key(),
  kind: "rating" as const,
  score: 4,
  ...extra,
});
const stored = async () => (await t.db.select({ n: count() }).from(feedback))[0]!.n;
const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string; message?: string }) => `${e.code}:${e.message}`,
  );
const sign = (userId: string) =>
  createHmac("sha256", site.identitySecret).update(userId).digest("hex");

describe("switching a site off", () => {
  it("refuses config and every submission with 403 site_disabled and stores nothing, until switched on", async () => {
    expect(await widget().status({ site: site.publicKey })).toEqual({ on: true });
    await admin().setEnabled({ id: site.id, on: false });
    expect((await siteRow(site.id)).disabledAt).toEqual(expect.any(Number));

    // The loader's question is answered 200, so the host page sees no failed request.
    expect(await widget().status({ site: site.publicKey })).toEqual({ on: false });
    expect(await code(widget().config({ site: site.publicKey }))).toBe(
      "FORBIDDEN:widget.siteDisabled",
    );
    expect(await code(widget().feedback(rating()))).toBe("FORBIDDEN:widget.siteDisabled");
    expect(
      await code(
        widget().request({
          site: site.publicKey,
          idempotencyKey: key(),
          email: "visitor@example.com",
          subject: "Hello",
          message: "Are you there?",
        }),
      ),
    ).toBe("FORBIDDEN:widget.siteDisabled");
    expect(await stored()).toBe(0);
    expect((await t.db.select({ n: count() }).from(requests))[0]!.n).toBe(0);
    // Refused calls are not counted against the visitor either.
    expect(await t.db.select().from(rateLimits)).toEqual([]);

    // Another site is untouched; the status question still checks the origin.
    await widgetRouter
      .createCaller({ db: t.db, origin: "https://other.example.com", ip: "198.51.100.7" })
      .feedback({ ...rating(), site: other.publicKey });
    expect(
      await code(widget("198.51.100.7", "https://evil.example").status({ site: site.publicKey })),
    ).toBe("FORBIDDEN:widget.originNotAllowed");

    await admin().setEnabled({ id: site.id, on: true });
    expect(await widget().status({ site: site.publicKey })).toEqual({ on: true });
    expect(await widget().feedback(rating())).toEqual({ ok: true });
    expect(await stored()).toBe(2);
  });

  it("answers NOT_FOUND for a site that does not exist and changes nothing", async () => {
    expect(await code(admin().setEnabled({ id: "no-such-site", on: false }))).toBe(
      "NOT_FOUND:error.notFound",
    );
    expect((await siteRow(site.id)).disabledAt).toBeNull();
  });
});

describe("blocking senders", () => {
  it("refuses a blocked IP address politely and stores nothing; other addresses and sites are unaffected", async () => {
    await admin().block({
      siteId: site.id,
      kind: "ip",
      value: "203.0.113.9",
      hours: 1,
      reason: "Spam",
    });
    expect(await code(widget("203.0.113.9").feedback(rating()))).toBe("FORBIDDEN:widget.blocked");
    // The same address as the socket reports it over IPv6 is the same sender.
    expect(await code(widget("::ffff:203.0.113.9").feedback(rating()))).toBe(
      "FORBIDDEN:widget.blocked",
    );
    expect(
      await code(
        widget("203.0.113.9").request({
          site: site.publicKey,
          idempotencyKey: key(),
          email: "visitor@example.com",
          subject: "Hi",
          message: "Blocked?",
        }),
      ),
    ).toBe("FORBIDDEN:widget.blocked");
    expect(await stored()).toBe(0);
    expect(await widget("203.0.113.10").feedback(rating())).toEqual({ ok: true });
    await widgetRouter
      .createCaller({ db: t.db, origin: "https://other.example.com", ip: "203.0.113.9" })
      .feedback({ ...rating(), site: other.publicKey });
    expect(await stored()).toBe(2);
    // Config (the look) is still served: only sending is refused.
    expect(await widget("203.0.113.9").config({ site: site.publicKey })).toMatchObject({
      name: "Shop",
    });
  });

  it("refuses a blocked visitor only when their identity is signed, whatever their address", async () => {
    await admin().block({ siteId: site.id, kind: "visitor", value: "CUST-9", hours: 24 });
    const signed = { userId: "CUST-9", userHash: sign("CUST-9") };
    expect(await code(widget("198.51.100.1").feedback(rating({ identity: signed })))).toBe(
      "FORBIDDEN:widget.blocked",
    );
    expect(await code(widget("198.51.100.2").feedback(rating({ identity: signed })))).toBe(
      "FORBIDDEN:widget.blocked",
    );
    // A forged claim to be CUST-9 is refused as a forgery, not counted as that visitor.
    expect(
      await code(
        widget().feedback(rating({ identity: { userId: "CUST-9", userHash: "0".repeat(64) } })),
      ),
    ).toBe("UNAUTHORIZED:widget.identityRefused");
    expect(await stored()).toBe(0);
    // Another visitor and anonymous visitors from the same address are unaffected.
    const otherVisitor = { userId: "CUST-10", userHash: sign("CUST-10") };
    expect(await widget("198.51.100.1").feedback(rating({ identity: otherVisitor }))).toEqual({
      ok: true,
    });
    expect(await widget("198.51.100.1").feedback(rating())).toEqual({ ok: true });
    expect(await stored()).toBe(2);
  });

  it("stops applying by itself when the time is up, and ends at once on unblock", async () => {
    const now = Date.UTC(2026, 0, 10, 12);
    const id = await blockSender(
      t.db,
      adminActor(),
      { siteId: site.id, kind: "ip", value: "203.0.113.9", hours: 1 },
      now,
    );
    const sender = { ip: "203.0.113.9", visitorId: null };
    await expect(refuseBlocked(t.db, site, sender, now + HOUR_MS - 1)).rejects.toMatchObject({
      messageKey: "widget.blocked",
    });
    await expect(refuseBlocked(t.db, site, sender, now + HOUR_MS)).resolves.toBeUndefined();
    expect(await activeBlocks(t.db, adminActor(), site.id, now + HOUR_MS - 1)).toHaveLength(1);
    expect(await activeBlocks(t.db, adminActor(), site.id, now + HOUR_MS)).toEqual([]);

    // Blocking again replaces the earlier block; unblocking ends it.
    await blockSender(
      t.db,
      adminActor(),
      { siteId: site.id, kind: "ip", value: "203.0.113.9", hours: 720 },
      now,
    );
    const [block] = await activeBlocks(t.db, adminActor(), site.id, now);
    expect(block).toMatchObject({ kind: "ip", value: "203.0.113.9", until: now + 720 * HOUR_MS });
    expect(block!.id).not.toBe(id);
    await unblockSender(t.db, adminActor(), { siteId: site.id, id: block!.id });
    expect(await t.db.select().from(widgetBlocks)).toEqual([]);
    await expect(refuseBlocked(t.db, site, sender, now)).resolves.toBeUndefined();

    // Each block and unblock is in the audit log, with what was blocked and for how long.
    const logged = await t.db
      .select({ action: auditLog.action, detail: auditLog.detail, actorId: auditLog.actorId })
      .from(auditLog)
      .where(like(auditLog.action, "widget.%"))
      .orderBy(auditLog.at, auditLog.id);
    expect(logged.map((e) => e.action).sort()).toEqual([
      "widget.blocked",
      "widget.blocked",
      "widget.unblocked",
    ]);
    expect(logged.every((e) => e.actorId === cast.admin.id)).toBe(true);
    expect(logged.map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ kind: "ip", value: "203.0.113.9", hours: 720 }),
    );
  });

  it("refuses bad block input and another site's block ids, changing nothing", async () => {
    const refused = async (input: unknown) => {
      try {
        await admin().block(input as never);
        return "ok";
      } catch (e) {
        const error = e as { code: string; cause?: { issues?: { message: string }[] } };
        return `${error.code}:${error.cause?.issues?.map((i) => i.message).join(",") ?? ""}`;
      }
    };
    expect(await refused({ siteId: site.id, kind: "ip", value: "not-an-ip", hours: 1 })).toBe(
      "BAD_REQUEST:abuse.ipInvalid",
    );
    expect(await refused({ siteId: site.id, kind: "ip", value: "999.1.1.1", hours: 1 })).toBe(
      "BAD_REQUEST:abuse.ipInvalid",
    );
    expect(await refused({ siteId: site.id, kind: "visitor", value: " ", hours: 1 })).toBe(
      "BAD_REQUEST:abuse.valueRequired",
    );
    expect(
      await refused({ siteId: site.id, kind: "visitor", value: "x".repeat(101), hours: 1 }),
    ).toBe("BAD_REQUEST:abuse.valueTooLong");
    expect(await refused({ siteId: site.id, kind: "ip", value: "203.0.113.9", hours: 2 })).toBe(
      "BAD_REQUEST:abuse.durationInvalid",
    );
    expect(
      await refused({
        siteId: site.id,
        kind: "ip",
        value: "203.0.113.9",
        hours: 1,
        reason: "r".repeat(201),
      }),
    ).toBe("BAD_REQUEST:abuse.reasonTooLong");
    expect(
      await refused({ siteId: "no-such-site", kind: "ip", value: "203.0.113.9", hours: 1 }),
    ).toBe("NOT_FOUND:");
    expect(await t.db.select().from(widgetBlocks)).toEqual([]);

    const id = await admin().block({ siteId: site.id, kind: "ip", value: "2001:DB8::1", hours: 1 });
    expect((await admin().blocks({ id: site.id }))[0]).toMatchObject({ value: "2001:db8::1" });
    expect(await code(admin().unblock({ siteId: other.id, id }))).toBe("NOT_FOUND:error.notFound");
    expect(await admin().blocks({ id: site.id })).toHaveLength(1);
  });

  it("lists the busiest senders of the last hour from the rate-limit counters, marking blocked ones", async () => {
    for (let i = 0; i < 3; i++) await widget("203.0.113.1").feedback(rating());
    await widget("203.0.113.2").feedback(rating());
    await widgetRouter
      .createCaller({ db: t.db, origin: "https://other.example.com", ip: "203.0.113.3" })
      .feedback({ ...rating(), site: other.publicKey });
    await admin().block({ siteId: site.id, kind: "ip", value: "203.0.113.2", hours: 1 });
    const senders = await admin().senders({ id: site.id });
    expect(senders.map((s) => [s.ip, s.count, s.blocked])).toEqual([
      ["203.0.113.1", 3, false],
      ["203.0.113.2", 1, true],
    ]);
    // Counters older than an hour are not "the last hour".
    await t.db.update(rateLimits).set({ windowStart: Date.now() - 2 * HOUR_MS });
    expect(await admin().senders({ id: site.id })).toEqual([]);
  });
});

describe("submission rates", () => {
  it("marks an hour a spike above max(10, 3 × the week's median)", () => {
    const quiet = Array.from({ length: 168 }, () => 0);
    quiet[5] = 10;
    quiet[6] = 11;
    expect(markSpikes(quiet)).toMatchObject({ median: 0, threshold: 10 });
    expect(
      markSpikes(quiet)
        .spikes.map((s, i) => (s ? i : -1))
        .filter((i) => i >= 0),
    ).toEqual([6]);
    const busy = Array.from({ length: 168 }, () => 8);
    busy[100] = 24;
    busy[101] = 25;
    const marked = markSpikes(busy);
    expect(marked).toMatchObject({ median: 8, threshold: 24 });
    expect(marked.spikes.filter(Boolean)).toHaveLength(1);
    expect(marked.spikes[101]).toBe(true);
    expect(markSpikes([1, 2, 3, 4])).toMatchObject({ median: 2.5, threshold: 10 });
  });

  it("counts a site's widget feedback per hour over the last 7 days and marks the spike", async () => {
    const now = Date.UTC(2026, 0, 10, 12, 30);
    const thisHour = Date.UTC(2026, 0, 10, 12);
    const rows = (siteId: string, at: number, k: number) =>
      Array.from({ length: k }, (_, i) => ({
        id: `f-${siteId}-${at}-${i}`,
        kind: "rating" as const,
        score: 4,
        locale: "en" as const,
        siteId,
        idempotencyKey: `k-${siteId}-${at}-${i}`,
        createdAt: at + i,
      }));
    await t.db.insert(feedback).values([
      ...rows(site.id, thisHour, 2),
      ...rows(site.id, thisHour - 3 * HOUR_MS, 12),
      ...rows(site.id, thisHour - 167 * HOUR_MS, 1),
      ...rows(site.id, thisHour - 168 * HOUR_MS, 5), // eight days ago: outside the week
      ...rows(other.id, thisHour, 30), // another site's traffic is not this site's
    ]);
    const rates = await submissionRates(t.db, adminActor(), site.id, now);
    expect(rates.hours).toHaveLength(168);
    expect(rates.hours[0]).toEqual({ start: thisHour - 167 * HOUR_MS, count: 1, spike: false });
    expect(rates.hours.at(-1)).toEqual({ start: thisHour, count: 2, spike: false });
    expect(rates.hours.at(-4)).toEqual({ start: thisHour - 3 * HOUR_MS, count: 12, spike: true });
    expect(rates).toMatchObject({ total: 15, median: 0, threshold: 10 });
    expect(await code(admin().rates({ id: "no-such-site" }))).toBe("NOT_FOUND:error.notFound");
  });
});

describe("identity hashes", () => {
  const secret = "s".repeat(64);
  const good = createHmac("sha256", secret).update("CUST-1").digest("hex");
  it("match only the exact HMAC, compared in constant time; wrong, short and long hashes fail", () => {
    expect(identityHashMatches(secret, "CUST-1", good)).toBe(true);
    expect(identityHashMatches(secret, "CUST-1", good.toUpperCase())).toBe(true);
    expect(identityHashMatches(secret, "CUST-2", good)).toBe(false);
    expect(
      identityHashMatches(
        secret,
        "CUST-1",
        good.replace(/^./, (c) => (c === "a" ? "b" : "a")),
      ),
    ).toBe(false);
    expect(identityHashMatches(secret, "CUST-1", good.slice(0, -1))).toBe(false);
    expect(identityHashMatches(secret, "CUST-1", `${good}0`)).toBe(false);
    expect(identityHashMatches(secret, "CUST-1", "")).toBe(false);
    // As many characters but more bytes: refused by the length check, not thrown by timingSafeEqual.
    expect(identityHashMatches(secret, "CUST-1", `${good.slice(0, -1)}é`)).toBe(false);
  });

  it("normalizes IPv4-mapped addresses", () => {
    expect(normalizeIp("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(normalizeIp(" 2001:DB8::1 ")).toBe("2001:db8::1");
  });
});

describe("the sites and blocks each process keeps (docs/decisions/032)", () => {
  /** Another process's write to the same file: this process hears of it only by the version. */
  async function elsewhere(write: (db: Awaited<ReturnType<typeof openDb>>) => Promise<unknown>) {
    const db = await openDb({ url: t.url });
    try {
      await write(db);
    } finally {
      db.$client.close();
    }
  }

  it("answers from memory until this process commits something or the version is read again", async () => {
    // Without the timer: only this process's commits make it read the version.
    for (const use of ["site by key", "block ends"])
      VersionedCache.of(t.db, "sites", use, { checkEveryMs: 60 * 60 * 1000 });
    expect(await code(widget().feedback(rating()))).toBe("ok");
    // The submission's own commit makes the next call read the version: this one, before the switch.
    expect(await code(widget().config({ site: site.publicKey }))).toBe("ok");
    await elsewhere((db) =>
      db.update(sites).set({ disabledAt: Date.now() }).where(eq(sites.id, site.id)),
    );
    // Kept: another process's switch has not been heard of yet.
    expect(await code(widget().config({ site: site.publicKey }))).toBe("ok");
    // This process commits (a submission of the other site's): it reads the version, and the site is off.
    await widget("198.51.100.7", "https://other.example.com").feedback(
      rating({ site: other.publicKey }),
    );
    expect(await code(widget().config({ site: site.publicKey }))).toBe(
      "FORBIDDEN:widget.siteDisabled",
    );
  });

  it("holds a site switched off or a sender blocked by another process within the recheck", async () => {
    expect(await code(widget().feedback(rating()))).toBe("ok");
    // Both read again after that submission's commit: from here only the timer makes them look again.
    await refuseBlocked(t.db, site, { ip: "198.51.100.7", visitorId: null });
    expect(
      await code(
        widget("198.51.100.7", "https://other.example.com").config({ site: other.publicKey }),
      ),
    ).toBe("ok");
    await elsewhere(async (db) => {
      await db.insert(widgetBlocks).values({
        id: newId(),
        siteId: site.id,
        kind: "ip",
        value: "198.51.100.7",
        until: Date.now() + HOUR_MS,
        createdAt: Date.now(),
      });
      await db.update(sites).set({ disabledAt: Date.now() }).where(eq(sites.id, other.id));
    });
    await sleep(CHECK_EVERY_MS + 50);
    expect(await code(widget().feedback(rating()))).toBe("FORBIDDEN:widget.blocked");
    expect(
      await code(
        widget("198.51.100.7", "https://other.example.com").config({ site: other.publicKey }),
      ),
    ).toBe("FORBIDDEN:widget.siteDisabled");
  });

  it("counts a sender's latest block, and a block cut short here at once", async () => {
    VersionedCache.of(t.db, "sites", "block ends", { checkEveryMs: 60 * 60 * 1000 });
    const now = Date.now();
    const sender = { ip: "203.0.113.9", visitorId: "CUST-7" };
    const block = (kind: "ip" | "visitor", value: string, hours: 1 | 24) =>
      blockSender(t.db, adminActor(), { siteId: site.id, kind, value, hours }, now);
    await block("ip", sender.ip, 24);
    await block("visitor", sender.visitorId, 1);
    const at = (ms: number) => code(refuseBlocked(t.db, site, sender, now + ms));
    expect(await at(2 * HOUR_MS)).toBe("FORBIDDEN:widget.blocked");
    expect(await at(24 * HOUR_MS)).toBe("ok");
    // Earlier times answer by the same kept end.
    expect(await at(HOUR_MS - 1)).toBe("FORBIDDEN:widget.blocked");
    await t.db
      .update(widgetBlocks)
      .set({ until: now + 30 * 60_000 })
      .where(eq(widgetBlocks.kind, "ip"));
    expect(await at(2 * HOUR_MS)).toBe("ok");
    expect(await at(45 * 60_000)).toBe("FORBIDDEN:widget.blocked");
  });

  it("holds a block made and lifted here for the very next submission", async () => {
    VersionedCache.of(t.db, "sites", "block ends", { checkEveryMs: 60 * 60 * 1000 });
    expect(await code(widget().feedback(rating()))).toBe("ok");
    const id = await blockSender(t.db, adminActor(), {
      siteId: site.id,
      kind: "ip",
      value: "198.51.100.7",
      hours: 1,
    });
    expect(await code(widget().feedback(rating()))).toBe("FORBIDDEN:widget.blocked");
    await unblockSender(t.db, adminActor(), { siteId: site.id, id });
    expect(await code(widget().feedback(rating()))).toBe("ok");
  });
});
