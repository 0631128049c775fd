// Admins' controls against widget abuse: switch a site off at once, bar an IP address or a signed visitor
// for a while, see who sends most, and see submissions per hour with spikes marked.
import { isIP } from "node:net";
import { and, asc, count, desc, eq, gt, gte, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { param, perShape, prepareRows } from "../../db/prepared";
import { feedback, rateLimits, sites, widgetBlockKinds, widgetBlocks } from "../../db/schema";
import type { SiteRow } from "../../db/schema";
import { VersionedCache } from "../../db/versioned-cache";
import type { AdminActor } from "../actor";
import { DomainError, notFound } from "../errors";
import { recordAudit } from "./audit";

export const HOUR_MS = 60 * 60 * 1000;
/** How long a block may last, in hours: an hour, a day, a week, thirty days. */
export const BLOCK_HOURS = [1, 24, 168, 720] as const;

/** The widget's rate-limit counter for a sender on a site (one row per site and IP address). */
export const widgetLimitKey = (siteId: string, ip: string | null) => `widget:${siteId}:${ip}`;

/** One spelling per address: an IPv4 address reached over IPv6 (::ffff:a.b.c.d) is the IPv4 address. */
export function normalizeIp(ip: string): string {
  const v = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  return mapped ? mapped[1]! : v;
}

const siteId = z.string().min(1).max(64);
export const siteIdInput = z.object({ id: siteId });
export const setEnabledInput = z.object({ id: siteId, on: z.boolean() });
export const unblockInput = z.object({ siteId, id: z.string().min(1).max(64) });
export const blockInput = z
  .object({
    siteId,
    kind: z.enum(widgetBlockKinds),
    value: z
      .string()
      .trim()
      .min(1, { error: "abuse.valueRequired" })
      .max(100, { error: "abuse.valueTooLong" }),
    hours: z.literal(BLOCK_HOURS, { error: "abuse.durationInvalid" }),
    reason: z.string().trim().max(200, { error: "abuse.reasonTooLong" }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "ip" && !isIP(normalizeIp(v.value)))
      ctx.addIssue({ code: "custom", path: ["value"], message: "abuse.ipInvalid" });
  });
export type BlockInput = z.output<typeof blockInput>;

async function requireSite(db: Db, id: string) {
  const [row] = await db.select({ id: sites.id }).from(sites).where(eq(sites.id, id));
  if (!row) throw notFound();
}

/** Off: the widget door refuses every call for the site and the loader shows nothing. On: as before. */
export async function setSiteEnabled(
  db: Db,
  actor: AdminActor,
  { id, on }: z.output<typeof setEnabledInput>,
  now = Date.now(),
) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(sites)
      .set({ disabledAt: on ? null : now })
      .where(eq(sites.id, id))
      .returning({ id: sites.id, name: sites.name });
    if (!row) throw notFound();
    await recordAudit(tx, actor, {
      action: on ? "widget.site_enabled" : "widget.site_disabled",
      subject: { type: "site", id },
      detail: { name: row.name },
    });
  });
}

/** Bars an IP address or a visitor id from the site's widget until the chosen time has passed. */
export async function blockSender(db: Db, actor: AdminActor, input: BlockInput, now = Date.now()) {
  await requireSite(db, input.siteId);
  const value = input.kind === "ip" ? normalizeIp(input.value) : input.value;
  const id = newId();
  await db.transaction(async (tx) => {
    // A new block for the same sender replaces the old one, so "Unblock" always ends it.
    await tx
      .delete(widgetBlocks)
      .where(
        and(
          eq(widgetBlocks.siteId, input.siteId),
          eq(widgetBlocks.kind, input.kind),
          eq(widgetBlocks.value, value),
        ),
      );
    await tx.insert(widgetBlocks).values({
      id,
      siteId: input.siteId,
      kind: input.kind,
      value,
      until: now + input.hours * HOUR_MS,
      reason: input.reason || null,
      createdBy: actor.userId,
      createdAt: now,
    });
    await recordAudit(tx, actor, {
      action: "widget.blocked",
      subject: { type: "site", id: input.siteId },
      detail: { kind: input.kind, value, hours: input.hours, reason: input.reason || null },
    });
  });
  return id;
}

export async function unblockSender(
  db: Db,
  actor: AdminActor,
  { siteId, id }: z.output<typeof unblockInput>,
) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(widgetBlocks)
      .where(and(eq(widgetBlocks.id, id), eq(widgetBlocks.siteId, siteId)))
      .returning({ kind: widgetBlocks.kind, value: widgetBlocks.value });
    if (!row) throw notFound();
    await recordAudit(tx, actor, {
      action: "widget.unblocked",
      subject: { type: "site", id: siteId },
      detail: { kind: row.kind, value: row.value },
    });
  });
}

/** Blocks still in force, the soonest to end first; expired ones simply no longer match. */
export async function activeBlocks(db: Db, _actor: AdminActor, siteId: string, now = Date.now()) {
  await requireSite(db, siteId);
  return db
    .select({
      id: widgetBlocks.id,
      kind: widgetBlocks.kind,
      value: widgetBlocks.value,
      until: widgetBlocks.until,
      reason: widgetBlocks.reason,
      createdAt: widgetBlocks.createdAt,
    })
    .from(widgetBlocks)
    .where(and(eq(widgetBlocks.siteId, siteId), gt(widgetBlocks.until, now)))
    .orderBy(asc(widgetBlocks.until));
}

/** Refuses a submission from a blocked IP address or from a blocked visitor whose identity is signed. */
export async function refuseBlocked(
  db: Db,
  site: SiteRow,
  sender: { ip: string | null; visitorId: string | null },
  now = Date.now(),
) {
  if (!sender.ip && !sender.visitorId) return;
  const ip = sender.ip && normalizeIp(sender.ip);
  const { visitorId } = sender;
  // The end of the sender's latest block, however old, kept per process while no site or block changes
  // (db/versioned-cache.ts): whether it is in force is a matter of `now`, so a block that runs out needs
  // no change to stop counting.
  const until = await VersionedCache.of<number | null>(db, "sites", "block ends").read(
    JSON.stringify([site.id, ip, visitorId]),
    async () => {
      const [latest] = await latestBlockEnd({ ip: Boolean(ip), visitor: Boolean(visitorId) }).all(
        db,
        { siteId: site.id, ip, visitorId },
      );
      return latest?.until ?? null;
    },
    // Most senders have no block: that is what most submissions ask (decision 032 bounds the misses).
    { keepMisses: true },
  );
  if (until !== null && until > now) throw new DomainError("FORBIDDEN", "widget.blocked");
}

/** When the sender's latest block ends, if any (every submission asks, so it is built once per shape). */
const latestBlockEnd = perShape((shape: { ip: boolean; visitor: boolean }) =>
  prepareRows((on) =>
    on
      .select({ until: sql<number | null>`max(${widgetBlocks.until})` })
      .from(widgetBlocks)
      .where(
        and(
          eq(widgetBlocks.siteId, param("siteId")),
          or(
            shape.ip
              ? and(eq(widgetBlocks.kind, "ip"), eq(widgetBlocks.value, param("ip")))
              : undefined,
            shape.visitor
              ? and(eq(widgetBlocks.kind, "visitor"), eq(widgetBlocks.value, param("visitorId")))
              : undefined,
          ),
        ),
      ),
  ),
);

/**
 * The addresses that sent most to the site in the last hour, read from the widget's rate-limit
 * counters (so no address is stored beside feedback): each counts the sender's latest 10-minute window,
 * refused tries included.
 */
export async function busiestSenders(
  db: Db,
  actor: AdminActor,
  siteId: string,
  now = Date.now(),
  limit = 10,
) {
  await requireSite(db, siteId);
  const prefix = widgetLimitKey(siteId, "");
  const rows = await db
    .select({ key: rateLimits.key, count: rateLimits.count, windowStart: rateLimits.windowStart })
    .from(rateLimits)
    // A key range, not LIKE: site ids may hold "_", and the range walks the primary key.
    .where(
      and(
        gte(rateLimits.key, prefix),
        lt(rateLimits.key, `${prefix}\uffff`),
        gte(rateLimits.windowStart, now - HOUR_MS),
      ),
    )
    .orderBy(desc(rateLimits.count), desc(rateLimits.windowStart))
    .limit(limit);
  const blocked = new Set(
    (await activeBlocks(db, actor, siteId, now)).filter((b) => b.kind === "ip").map((b) => b.value),
  );
  return rows
    .map((r) => ({
      ip: normalizeIp(r.key.slice(prefix.length)),
      count: r.count,
      windowStart: r.windowStart,
    }))
    .filter((r) => r.ip !== "null")
    .map((r) => ({ ...r, blocked: blocked.has(r.ip) }));
}

/** An hour is a spike when it is well above the site's usual rate: more than max(10, 3 × median). */
export function markSpikes(counts: number[]) {
  const sorted = [...counts].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? 0
      : sorted.length % 2
        ? sorted[mid]!
        : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const threshold = Math.max(10, 3 * median);
  return { median, threshold, spikes: counts.map((n) => n > threshold) };
}

/**
 * Widget feedback per hour over the last 7 days (168 hours, the current one last), read through the
 * feedback(site_id, created_at) index, with spikes marked. Widget requests carry no site, so they are not
 * counted here.
 */
export async function submissionRates(
  db: Db,
  _actor: AdminActor,
  siteId: string,
  now = Date.now(),
) {
  await requireSite(db, siteId);
  const first = now - (now % HOUR_MS) - 167 * HOUR_MS;
  const hour = sql<number>`cast(${feedback.createdAt} / ${HOUR_MS} as integer)`;
  const rows = await db
    .select({ hour, n: count() })
    .from(feedback)
    .where(and(eq(feedback.siteId, siteId), gte(feedback.createdAt, first)))
    .groupBy(hour);
  const byHour = new Map(rows.map((r) => [Number(r.hour) * HOUR_MS, r.n]));
  const counts = Array.from({ length: 168 }, (_, i) => byHour.get(first + i * HOUR_MS) ?? 0);
  const { median, threshold, spikes } = markSpikes(counts);
  return {
    hours: counts.map((n, i) => ({ start: first + i * HOUR_MS, count: n, spike: spikes[i]! })),
    median,
    threshold,
    total: counts.reduce((a, b) => a + b, 0),
  };
}
