// Fixed-window rate limits kept in the database, so every process (and machine) shares the counts.
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rateLimits } from "../../db/schema";

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

/** Counts one request against `key`; says whether it is allowed and, if not, when to retry. */
export async function hit(db: Db, key: string, { max, windowMs }: Limit, now = Date.now()) {
  const windowStart = now - (now % windowMs);
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} = ${windowStart} then ${rateLimits.count} + 1 else 1 end`,
        windowStart,
      },
    })
    .returning({ count: rateLimits.count });
  const count = row?.count ?? 1;
  return { allowed: count <= max, retryAfterMs: windowStart + windowMs - now };
}

/** Whether `key` has already used up its window, without counting this request. */
export async function exhausted(db: Db, key: string, { max, windowMs }: Limit, now = Date.now()) {
  const windowStart = now - (now % windowMs);
  const [row] = await db
    .select({ count: rateLimits.count, windowStart: rateLimits.windowStart })
    .from(rateLimits)
    .where(eq(rateLimits.key, key));
  return row !== undefined && row.windowStart === windowStart && row.count >= max;
}
