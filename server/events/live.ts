// Live updates across processes: every change a page may want is a row in `events`, written in the same
// transaction as the change. Each process polls the table once (not once per page) and wakes its own
// subscribers; a reconnecting subscriber names the last event it saw and gets what it missed from the
// table, so nothing is lost or repeated.
import { tracked } from "@trpc/server";
import { asc, gt, max } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { events } from "../../db/schema";

export interface LiveEvent {
  id: number;
  requestId: string;
  accountId: string;
  public: boolean;
}

export type LiveFilter = (event: LiveEvent) => boolean;

export async function publishEvent(tx: DbOrTx, event: Omit<LiveEvent, "id">): Promise<void> {
  await tx.insert(events).values({ ...event, createdAt: Date.now() });
}

export class LiveEvents {
  private last = 0;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly intervalMs = 250,
  ) {}

  /** Starts polling from the newest event now in the table. */
  async start(): Promise<void> {
    const [row] = await this.db.select({ id: max(events.id) }).from(events);
    this.last = row?.id ?? 0;
    this.running = true;
    const tick = () => {
      if (!this.running) return;
      this.poll()
        .catch((error: unknown) => console.error("Polling live events failed:", error))
        .finally(() => {
          if (this.running) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** Reads what arrived since the last poll and hands it to every subscriber. */
  async poll(): Promise<void> {
    const rows = await this.since(this.last);
    for (const event of rows) {
      this.last = event.id;
      for (const listener of this.listeners) listener(event);
    }
  }

  private since(afterId: number): Promise<LiveEvent[]> {
    return this.db
      .select({
        id: events.id,
        requestId: events.requestId,
        accountId: events.accountId,
        public: events.public,
      })
      .from(events)
      .where(gt(events.id, afterId))
      .orderBy(asc(events.id))
      .limit(1000);
  }

  /**
   * The events that pass `filter`, as tRPC tracked items: first those after `lastEventId` (a reconnect),
   * then each new one as it arrives, until the client goes away.
   */
  async *stream(
    filter: LiveFilter,
    lastEventId: string | null | undefined,
    signal: AbortSignal | undefined,
  ) {
    const queue: LiveEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (event: LiveEvent) => {
      if (!filter(event)) return;
      queue.push(event);
      wake?.();
    };
    this.listeners.add(listener);
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      let seen = this.last;
      const resumeFrom = Number(lastEventId);
      if (lastEventId && Number.isSafeInteger(resumeFrom)) {
        seen = resumeFrom;
        for (const event of await this.since(resumeFrom)) {
          if (!filter(event)) continue;
          seen = Math.max(seen, event.id);
          yield tracked(String(event.id), { requestId: event.requestId });
        }
      }
      while (!signal?.aborted) {
        while (queue.length > 0) {
          const event = queue.shift()!;
          if (event.id <= seen) continue; // already sent while catching up
          seen = event.id;
          yield tracked(String(event.id), { requestId: event.requestId });
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
