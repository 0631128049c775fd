// Rate limits kept in the database, so every process (and machine) shares the counts: fixed windows
// (widget, ingest) and growing delays (sign-in, sign-up, mail; see Backoff).
import { eq, sql } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "../../db/client";
import { param, prepareWrite, writeTogether, type PreparedWrite } from "../../db/prepared";
import { rateLimits } from "../../db/schema";

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

/**
 * One more request in the key's window (a new window starts at 1); built once, as every widget and
 * ingest request counts one.
 */
const countHit = prepareWrite((on) =>
  on
    .insert(rateLimits)
    .values({ key: param("key"), windowStart: param("windowStart"), count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} = ${param("windowStart")} then ${rateLimits.count} + 1 else 1 end`,
        windowStart: sql`${param("windowStart")}`,
      },
    })
    .returning({ count: rateLimits.count }),
);

/** Counts one request against `key`; says whether it is allowed and, if not, when to retry. */
export async function hit(db: DbOrTx, key: string, limit: Limit, now = Date.now()) {
  const windowStart = windowOf(limit, now);
  const [row] = await countHit.returning<{ count: number }>(db, { key, windowStart });
  return verdict(row?.count ?? 1, limit, windowStart, now);
}

const windowOf = ({ windowMs }: Limit, now: number) => now - (now % windowMs);

const verdict = (count: number, { max, windowMs }: Limit, windowStart: number, now: number) => ({
  allowed: count <= max,
  retryAfterMs: windowStart + windowMs - now,
});

/**
 * The condition of a write counted by `countedTogether`: the count of the placeholder `limitKey` is at
 * most `limitMax` (the count just made, in the same batch).
 */
export const withinLimit = () =>
  sql`(select ${rateLimits.count} from ${rateLimits} where ${rateLimits.key} = ${param("limitKey")}) <= ${param("limitMax")}`;

/**
 * Counts one request against `key` and runs `write` in the same commit, as one batch with nothing to
 * run between the two, so on a database file both leave the event loop (`writeTogether`). `write` must
 * be built with `withinLimit()` as its condition (`insertWhere`): over the limit the count commits and
 * the write changes nothing, as in `countedWrite`.
 */
export async function countedTogether(
  db: Db,
  key: string,
  limit: Limit,
  write: PreparedWrite,
  values: Record<string, unknown>,
  now = Date.now(),
) {
  const windowStart = windowOf(limit, now);
  try {
    const [counted] = await writeTogether(
      db,
      { write: countHit, values: { key, windowStart } },
      { write, values: { ...values, limitKey: key, limitMax: limit.max } },
    );
    return verdict(Number(counted?.[0]?.[0] ?? 1), limit, windowStart, now);
  } catch (error) {
    // As in `countedWrite`: a failed write is counted on its own, and its own error reported.
    await hit(db, key, limit).catch(() => undefined);
    throw error;
  }
}

/**
 * Runs a request's writes in one transaction with its count against the limit, so an accepted request
 * costs one commit (durable: synchronous=FULL). Over the limit, the count commits alone and `write` does
 * not run. When `write` throws (a refusal, a conflict), its transaction rolls back and the try is
 * counted in a commit of its own: refused and failed requests count too.
 */
export async function countedWrite<T>(
  db: Db,
  key: string,
  limit: Limit,
  write: (tx: Tx) => Promise<T>,
): Promise<{ allowed: true; value: T } | { allowed: false; retryAfterMs: number }> {
  try {
    return await db.transaction(async (tx) => {
      const count = await hit(tx, key, limit);
      if (!count.allowed) return { allowed: false as const, retryAfterMs: count.retryAfterMs };
      return { allowed: true as const, value: await write(tx) };
    });
  } catch (error) {
    // Counted on its own; should even that fail, the write's own error is the one to report.
    await hit(db, key, limit).catch(() => undefined);
    throw error;
  }
}

/** Whether `key` has already used up its window, without counting this request. */
export async function exhausted(
  db: DbOrTx,
  key: string,
  { max, windowMs }: Limit,
  now = Date.now(),
) {
  const windowStart = now - (now % windowMs);
  const [row] = await db
    .select({ count: rateLimits.count, windowStart: rateLimits.windowStart })
    .from(rateLimits)
    .where(eq(rateLimits.key, key));
  return row !== undefined && row.windowStart === windowStart && row.count >= max;
}

/**
 * Growing delays: the first `free` counts of a key cost nothing; after that the key must wait before it
 * may be tried again, starting at `baseDelayMs` and doubling with each further count up to `maxDelayMs`,
 * measured from the last count. A key is forgotten once it has been quiet for `forgetAfterMs` beyond
 * its wait, so an attacker at the cap never earns free attempts by waiting out the cap alone.
 */
export interface Backoff {
  free: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
}

/** How long after its last count a key with `count` counts must wait. */
export function backoffDelay(count: number, { free, baseDelayMs, maxDelayMs }: Backoff): number {
  if (count < free) return 0;
  // Capping the exponent first keeps 2 ** n finite however large the count grows.
  const doublings = Math.min(count - free, 40);
  return Math.min(baseDelayMs * 2 ** doublings, maxDelayMs);
}

type BackoffRow = { count: number; lastHitAt: number | null } | undefined;

/** The count still in force for a stored row at `now` (0 when forgotten). */
function liveCount(row: BackoffRow, limit: Backoff, now: number): number {
  if (!row || row.lastHitAt === null) return 0;
  const forgetAt = row.lastHitAt + backoffDelay(row.count, limit) + limit.forgetAfterMs;
  return now >= forgetAt ? 0 : row.count;
}

/** Milliseconds `key` must still wait before it may be tried, 0 when it may be tried now. */
function waitFor(row: BackoffRow, limit: Backoff, now: number): number {
  const count = liveCount(row, limit, now);
  if (count === 0 || !row?.lastHitAt) return 0;
  return Math.max(0, row.lastHitAt + backoffDelay(count, limit) - now);
}

/**
 * Checks every key and, when none must wait, counts one for each; all in one write transaction, so
 * parallel attempts from several processes cannot slip past the check together. Returns the longest
 * wait (ms) when refused, and then counts nothing.
 */
export async function takeTurn(
  db: Db,
  checks: readonly (readonly [key: string, limit: Backoff])[],
  now = Date.now(),
): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
  return db.transaction(async (tx) => {
    const rows: BackoffRow[] = [];
    for (const [key] of checks) {
      const [row] = await tx
        .select({ count: rateLimits.count, lastHitAt: rateLimits.lastHitAt })
        .from(rateLimits)
        .where(eq(rateLimits.key, key));
      rows.push(row);
    }
    const wait = Math.max(0, ...checks.map(([, limit], i) => waitFor(rows[i], limit, now)));
    if (wait > 0) return { allowed: false, retryAfterMs: wait };
    for (const [i, [key, limit]] of checks.entries()) {
      const count = liveCount(rows[i], limit, now) + 1;
      // window_start is the last count too, so housekeeping's day-old sweep only takes forgotten keys.
      await tx
        .insert(rateLimits)
        .values({ key, windowStart: now, count, lastHitAt: now })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: { count, windowStart: now, lastHitAt: now },
        });
    }
    return { allowed: true };
  });
}

/** Takes back one count from `key` (an attempt that turned out not to be a failure). */
export async function giveBack(db: Db, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`max(${rateLimits.count} - 1, 0)` })
    .where(eq(rateLimits.key, key));
}

/** Forgets `key` entirely. */
export async function forget(db: Db, key: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}
