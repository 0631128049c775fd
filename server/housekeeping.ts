// Hourly tidying of tables that only grow: expired sessions, used or expired mail links, old live
// events (pages catch up from the last minute or so, never a day), spent rate-limit windows, and widget
// blocks that have run out.
import { and, isNotNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  emailTokens,
  events,
  rateLimits,
  sessions,
  twoFactorChallenges,
  widgetBlocks,
} from "../db/schema";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export async function cleanUp(db: Db, now = Date.now()): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
  await db.delete(twoFactorChallenges).where(lt(twoFactorChallenges.expiresAt, now));
  await db
    .delete(emailTokens)
    .where(
      or(
        lt(emailTokens.expiresAt, now - DAY),
        and(isNotNull(emailTokens.usedAt), lt(emailTokens.usedAt, now - DAY)),
      ),
    );
  await db.delete(events).where(lt(events.createdAt, now - DAY));
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - DAY));
  await db.delete(widgetBlocks).where(lt(widgetBlocks.until, now));
}

export function startHousekeeping(db: Db) {
  const run = () =>
    cleanUp(db).catch((error: unknown) => console.error("Housekeeping failed:", error));
  const timer = setInterval(() => void run(), HOUR);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
