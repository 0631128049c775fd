import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../db/client";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { LiveEvents, publishEvent } from "./live";

let t: TestDb;
const started: LiveEvents[] = [];
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => {
  for (const live of started.splice(0)) live.stop();
  t.close();
});

async function startLive(db: Db) {
  const live = new LiveEvents(db, 20);
  await live.start();
  started.push(live);
  return live;
}

/** Collects what a stream yields until `count` items arrived or the time is up. */
async function take(
  stream: AsyncIterable<unknown>,
  count: number,
  controller: AbortController,
  ms = 3000,
) {
  const got: unknown[] = [];
  const timer = setTimeout(() => controller.abort(), ms);
  for await (const item of stream) {
    got.push(item);
    if (got.length >= count) break;
  }
  clearTimeout(timer);
  controller.abort();
  return got as [string, { requestId: string }, symbol][];
}

describe("live events", () => {
  it("reach a subscriber in another process sharing the database, filtered", async () => {
    const other = await openDb({ url: t.url });
    const live = await startLive(other); // the "second process"
    const controller = new AbortController();
    const received = take(
      live.stream((e) => e.requestId === "r1" && e.public, null, controller.signal),
      2,
      controller,
    );
    await publishEvent(t.db, { requestId: "r1", accountId: "a", public: true });
    await publishEvent(t.db, { requestId: "r1", accountId: "a", public: false }); // a note: not for customers
    await publishEvent(t.db, { requestId: "r2", accountId: "b", public: true }); // another request
    await publishEvent(t.db, { requestId: "r1", accountId: "a", public: true });
    const items = await received;
    expect(items.map((i) => i[1])).toEqual([{ requestId: "r1" }, { requestId: "r1" }]);
    expect(Number(items[1]![0])).toBeGreaterThan(Number(items[0]![0]));
    other.$client.close();
  });

  it("resume after a reconnect from the last event seen, without losing or repeating any", async () => {
    const live = await startLive(t.db);
    for (let i = 0; i < 3; i++)
      await publishEvent(t.db, { requestId: "r1", accountId: "a", public: true });
    await live.poll();
    const first = new AbortController();
    // A client saw only the first event, then lost its connection.
    const all = await take(
      live.stream(() => true, "0", first.signal),
      3,
      first,
    );
    const [seen] = all;
    const again = new AbortController();
    const resumed = take(
      live.stream(() => true, seen![0], again.signal),
      3,
      again,
    );
    await publishEvent(t.db, { requestId: "r1", accountId: "a", public: true });
    const ids = (await resumed).map((i) => Number(i[0]));
    expect(ids).toEqual([Number(all[1]![0]), Number(all[2]![0]), Number(all[2]![0]) + 1]);
  });

  it("tell a customer only of their account's requests", async () => {
    const cast = await supportCast(t.db);
    const { id } = await callerAs(t.db, cast.alda).caller.portal.requests.create({
      subject: "Q",
      message: "M",
    });
    // Refused when subscribing, as a typed error: thrown inside the stream, tRPC's SSE would send it as
    // an internal error.
    const refused = callerAs(t.db, cast.bara).caller.portal.requests.live({ id });
    await expect(refused).rejects.toBeInstanceOf(TRPCError);
    await expect(refused).rejects.toMatchObject({ code: "NOT_FOUND" });
    const staffRefused = callerAs(t.db, cast.agent).caller.staff.requests.live({ id: "nope" });
    await expect(staffRefused).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
