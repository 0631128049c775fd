// Delivers the outbox: each process takes one due message at a time (a lease in the database, so several
// processes never send the same one), retries failures with growing waits, and gives up after a day.
import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { outbox } from "../../db/schema";
import type { MailMessage } from "./outbox";
import type { MailTransport } from "./transport";

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 10;
/** 30 s, 1 min, 2 min … capped at 4 h: about a day in all before a message is marked failed. */
export const retryDelay = (attempts: number) =>
  Math.min(30_000 * 2 ** (attempts - 1), 4 * 60 * 60_000);

/** Sends every message that is due now; returns how many were sent. */
export async function deliverDueMail(
  db: Db,
  transport: MailTransport,
  now = Date.now(),
): Promise<number> {
  let sent = 0;
  for (;;) {
    const [message] = await db
      .update(outbox)
      .set({ lockedUntil: now + LEASE_MS, attempts: sql`${outbox.attempts} + 1` })
      .where(
        eq(
          outbox.id,
          sql`(select ${outbox.id} from ${outbox} where ${and(
            eq(outbox.status, "pending"),
            eq(outbox.kind, "mail"),
            lte(outbox.nextAttemptAt, now),
            or(isNull(outbox.lockedUntil), lte(outbox.lockedUntil, now)),
          )} order by ${outbox.nextAttemptAt} limit 1)`,
        ),
      )
      .returning();
    if (!message) return sent;
    try {
      await transport.send(message.payload as MailMessage, message.id);
      await db
        .update(outbox)
        .set({ status: "sent", sentAt: Date.now(), lockedUntil: null, lastError: null })
        .where(eq(outbox.id, message.id));
      sent++;
    } catch (error) {
      const failed = message.attempts >= MAX_ATTEMPTS;
      await db
        .update(outbox)
        .set({
          status: failed ? "failed" : "pending",
          nextAttemptAt: now + retryDelay(message.attempts),
          lockedUntil: null,
          lastError:
            error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500),
        })
        .where(eq(outbox.id, message.id));
    }
  }
}

/** Polls the outbox once a second until stopped. */
export function startMailWorker(db: Db, transport: MailTransport, intervalMs = 1_000) {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = deliverDueMail(db, transport)
      .catch((error: unknown) => console.error("Mail delivery failed:", error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      transport.close();
    },
  };
}
