// How the rows a process keeps (db/versioned-cache.ts) learn of changes while a reading of the version
// is under way on the read thread (decisions 032 and 034). "Another process" is a second client on the
// same file: its commits are not reported to this one. A long read sent in the same turn as a reading
// holds the reading's answer back (the thread answers a turn's reads together), so a commit of ours can
// land between the reading and its answer.
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type Client } from "@libsql/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { VersionedCache } from "./versioned-cache";

const WINDOW = 100;
const longRead = (t: TestDb) =>
  t.db.$client.execute(
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000000) select count(*) from n",
  );

let t: TestDb;
let other: Client;
/** What the other process has stored for the kept key. */
let stored: string;
const load = () => Promise.resolve(stored);
beforeEach(async () => {
  t = await createTestDb();
  other = createClient({ url: t.url });
});
afterEach(() => {
  other.close();
  t.close();
});

/** A cache that has kept "v1" for the key. */
async function keptV1() {
  stored = "v1";
  const cache = VersionedCache.of<string>(t.db, "sites", "test", { checkEveryMs: WINDOW });
  await cache.read("k", load);
  return cache;
}

/** Another process changes the kept row (`change` says what else it does to the database). */
async function changedElsewhere(change: string) {
  await other.execute(change);
  stored = "v2";
}

const raiseVersion = "update cache_versions set version = version + 1 where name = 'sites'";

/**
 * Once the version is due, a lookup whose reading waits behind a long read while `ours` commits a
 * statement of ours: that lookup and the next must see the other process's change.
 */
async function lookupAcross(cache: VersionedCache<string>, ours: string) {
  await sleep(WINDOW * 3);
  const lookup = cache.read("k", load);
  const long = longRead(t);
  await t.db.$client.execute(ours);
  expect(await lookup).toBe("v2");
  expect(await cache.read("k", load)).toBe("v2");
  await long;
}

it("stops keeping when a trigger goes, also when a commit of ours lands during the reading", async () => {
  const cache = await keptV1();
  // Another process drops a trigger, then changes the row without raising the version.
  await changedElsewhere("drop trigger cache_versions_sites_update");
  // A write of ours commits on the write thread before the reading's answer: the schema changed, so
  // its commit cannot tell the version, and the reading (which found the trigger gone) must count.
  await lookupAcross(
    cache,
    "insert into rate_limits (key, window_start, count) values ('w', 0, 1)",
  );
});

it("trusts no reading begun before a statement of ours that ran alone", async () => {
  const cache = await keptV1();
  await changedElsewhere(raiseVersion);
  // Alone (it might change anything): the next lookup must read the version again.
  await lookupAcross(cache, "PRAGMA user_version = 1");
});

it("shares a reading among lookups only while it is recent", async () => {
  const cache = await keptV1();
  await sleep(WINDOW * 2);
  const first = cache.read("k", load);
  const long = longRead(t);
  await sleep(20);
  await changedElsewhere(raiseVersion);
  await sleep(WINDOW + 30);
  // Begun more than a window after the change, while the first reading still waits for its answer:
  // that reading is older than the window allows, so this lookup reads the version itself.
  const late = cache.read("k", load);
  await long;
  expect(await late).toBe("v2");
  await first;
});
