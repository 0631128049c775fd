// The inbox's full-text search (migration 0008, docs/decisions/023): one document per request in the
// index of its status class, keyed so that the index's order is "latest activity first". Checked against
// a brute-force answer computed from the requests and messages themselves, after a run of real writes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { openDb, type Db } from "../../db/client";
import { newId } from "../../db/ids";
import { migrateDb } from "../../db/migrate";
import { withRollupsRebuilt } from "../../db/rollups";
import { requests } from "../../db/schema";
import type { StaffActor } from "../../server/actor";
import { inboxViews, listInbox, type InboxView } from "../../server/services/inbox";
import { supportCast } from "../factories/requests";
import { callerAs } from "../helpers/caller";
import { createTestDb, type TestDb } from "../helpers/db";
import { migrationsUpTo } from "../helpers/migrations";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
});
afterEach(() => t.close());

const words = ["alpha", "alphabet", "bravo", "charlie", "delta", "ísjaki"];
/** A deterministic pseudo-random sequence, so a failure replays. */
function prng(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s % n;
  };
}

/** The search's answer, every page of `limit`, followed through the cursors. */
async function searchAll(db: Db, actor: StaffActor, view: InboxView, q: string, limit = 3) {
  const found: { id: string; lastActivityAt: number }[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listInbox(db, actor, { view, q, sort: "activity", limit, cursor });
    found.push(...page.items);
    if (!page.nextCursor) return found;
    cursor = page.nextCursor;
  }
}

/** Which requests of a view hold a word starting with `word` in the subject or any message. */
async function bruteForce(db: Db, actor: StaffActor, view: InboxView, word: string) {
  const inView = await listInbox(db, actor, { view, sort: "activity", limit: 100 });
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const ids = [];
  for (const r of inView.items) {
    const texts = await db.$client.execute({
      sql: `select subject as text from requests where id = ?1
            union all select body from request_messages where request_id = ?1`,
      args: [r.id],
    });
    const tokens = texts.rows.flatMap((row) => fold(row.text as string).match(/[\p{L}\p{N}]+/gu));
    if (tokens.some((token) => token?.startsWith(fold(word)))) ids.push(r.id);
  }
  return ids;
}

describe("the inbox search", () => {
  it("finds exactly the requests whose subject or messages hold the word, latest activity first, across pages", async () => {
    const next = prng(7);
    const say = () => `${words[next(words.length)]} and ${words[next(words.length)]}`;
    const customers = [cast.alda, cast.bara];
    const ids: string[] = [];
    for (let step = 0; step < 40; step++) {
      const kind = ids.length < 4 ? 0 : next(5);
      const id = ids[next(ids.length)]!;
      const staff = callerAs(t.db, cast.agent).caller.staff.requests;
      if (kind === 0) {
        const who = customers[next(2)]!;
        const made = await callerAs(t.db, who).caller.portal.requests.create({
          subject: `Subject ${words[next(words.length)]}`,
          message: say(),
        });
        ids.push(made.id);
      } else if (kind === 1) {
        await staff.reply({ id, kind: "public", message: say() });
      } else if (kind === 2) {
        await staff.reply({ id, kind: "note", message: say() });
      } else if (kind === 3) {
        const status = (["open", "pending", "resolved", "closed"] as const)[next(4)];
        await staff.update({ id, status });
      } else {
        await staff.update({ id, priority: next(2) ? "high" : "low" });
      }
    }

    const actor: StaffActor = { userId: cast.agent.id, role: "agent", accountId: null };
    let nonEmpty = 0;
    for (const view of inboxViews) {
      for (const word of [...words, "Ísjak", "zulu"]) {
        const found = await searchAll(t.db, actor, view, word);
        const expected = await bruteForce(t.db, actor, view, word);
        expect(found.map((r) => r.id).sort(), `${view} ${word}`).toEqual([...expected].sort());
        expect(new Set(found.map((r) => r.id)).size).toBe(found.length);
        // Latest activity first (ties in the same millisecond may come either way).
        for (let i = 1; i < found.length; i++)
          expect(found[i - 1]!.lastActivityAt).toBeGreaterThanOrEqual(found[i]!.lastActivityAt);
        if (found.length > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(10);
  });

  it("keeps a request findable through new messages, status changes and deletion", async () => {
    const staff = callerAs(t.db, cast.agent).caller.staff.requests;
    const { id } = await callerAs(t.db, cast.alda).caller.portal.requests.create({
      subject: "Broken zipper",
      message: "The zipper broke",
    });
    const search = async (view: InboxView, q: string) =>
      (await staff.inbox({ view, q })).items.map((r) => r.id);
    expect(await search("open", "zipper")).toEqual([id]);
    expect(await search("open", "rennilás")).toEqual([]);

    await staff.reply({ id, kind: "note", message: "Rennilásinn er ónýtur" });
    expect(await search("open", "rennilas")).toEqual([id]);

    await staff.update({ id, status: "resolved" });
    expect(await search("open", "zipper")).toEqual([]);
    expect(await search("resolved", "zipper")).toEqual([id]);
    expect(await search("resolved", "rennilásinn")).toEqual([id]);

    await callerAs(t.db, cast.alda).caller.portal.requests.reply({ id, message: "Still broken" });
    expect(await search("open", "still")).toEqual([id]);
    expect(await search("resolved", "zipper")).toEqual([]);

    await t.db.delete(requests).where(eq(requests.id, id));
    const left = await t.db.$client.execute(
      `select (select count(*) from request_search_active) + (select count(*) from request_search_done) as n`,
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
  });

  it("sorted by due time or searched by number, pages through the same matches", async () => {
    const staff = callerAs(t.db, cast.agent).caller.staff.requests;
    for (let i = 0; i < 5; i++)
      await callerAs(t.db, cast.alda).caller.portal.requests.create({
        subject: `Parcel ${i}`,
        message: i % 2 ? "lost parcel" : "other",
      });
    const first = await staff.inbox({ view: "open", q: "parcel", sort: "due", limit: 3 });
    const second = await staff.inbox({
      view: "open",
      q: "parcel",
      sort: "due",
      limit: 3,
      cursor: first.nextCursor!,
    });
    expect([...first.items, ...second.items].map((r) => r.number)).toEqual([
      1001, 1002, 1003, 1004, 1005,
    ]);
    expect((await staff.inbox({ view: "open", q: "#1003" })).items.map((r) => r.number)).toEqual([
      1003,
    ]);
  });

  it("is rebuilt after a bulk load to what the triggers would have kept", async () => {
    for (const subject of ["Alpha one", "Bravo two", "Alphabet three"])
      await callerAs(t.db, cast.bara).caller.portal.requests.create({ subject, message: "delta" });
    const actor: StaffActor = { userId: cast.agent.id, role: "agent", accountId: null };
    const before = await searchAll(t.db, actor, "open", "alpha", 1);
    await withRollupsRebuilt(t.db.$client, async () => {
      // Loaded without triggers: no key, not in the index until the rebuild.
      await t.db.$client.execute({
        sql: `insert into requests (id, number, account_id, requester_name, subject, status, priority,
                channel, first_response_due_at, last_activity_at, created_at)
              values (?, 2001, ?, 'Loaded', 'Alpha loaded', 'open', 'normal', 'portal', 1, ?, 1)`,
        args: [newId(), cast.accountA, Date.now() + 60_000],
      });
    });
    const after = await searchAll(t.db, actor, "open", "alpha", 1);
    expect(after.map((r) => r.id).slice(1)).toEqual(before.map((r) => r.id));
    expect(after).toHaveLength(3);
    // The triggers are back: a new request is indexed as it is made.
    await callerAs(t.db, cast.bara).caller.portal.requests.create({
      subject: "Alpha four",
      message: "x",
    });
    expect(await searchAll(t.db, actor, "open", "alpha")).toHaveLength(4);
  });

  it("is filled from the requests already there when a database of the previous release is migrated", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tengsl-search-"));
    const db = await openDb({ url: `file:${join(dir, "old.db")}` });
    onTestFinished(() => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await migrateDb(db, migrationsUpTo(dir, "0007_scale"));
    const old = await supportCast(db);
    // Plain SQL: the current schema's insert would name the column 0008 adds.
    const made: string[] = [];
    for (const [i, [subject, message, status]] of [
      ["Invoice missing", "Where is my invoice", "closed"],
      ["Delivery late", "The invoice came but no parcel", "open"],
      ["Hello", "Nothing to see", "pending"],
    ].entries()) {
      const id = newId();
      made.push(id);
      await db.$client.execute({
        sql: `insert into requests (id, number, account_id, requester_name, subject, status, priority,
                channel, first_response_due_at, last_activity_at, created_at)
              values (?, ?, ?, 'Alda', ?, ?, 'normal', 'portal', 1, ?, 1)`,
        args: [id, 1001 + i, old.accountA, subject!, status!, 1000 + i],
      });
      await db.$client.execute({
        sql: `insert into request_messages (id, request_id, author_name, from_staff, kind, body, created_at)
              values (?, ?, 'Alda', 0, 'public', ?, 1)`,
        args: [newId(), id, message!],
      });
    }

    await migrateDb(db);
    const staff = callerAs(db, old.agent).caller.staff.requests;
    const search = async (view: InboxView, q: string) =>
      (await staff.inbox({ view, q })).items.map((r) => r.id);
    expect(await search("open", "invoice")).toEqual([made[1]]);
    expect(await search("resolved", "invoice")).toEqual([made[0]]);
    expect(await search("open", "nothing")).toEqual([made[2]]);
    // And the triggers keep it from then on.
    await staff.reply({ id: made[2]!, kind: "public", message: "An invoice after all" });
    expect(await search("open", "invoice")).toEqual([made[2], made[1]]);
  });
});
