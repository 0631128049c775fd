// The sessions a process keeps (db/versioned-cache.ts, docs/decisions/032): changes made through the
// process hold for the very next request, changes made by another process (here a second connection to
// the file) once the version is read again, and a session is only ever ended or renewed as stored.
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, readValue, type Db } from "../../db/client";
import { sessions, users } from "../../db/schema";
import { createUser } from "../../tests/factories/people";
import { CHECK_EVERY_MS, VersionedCache } from "../../db/versioned-cache";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { createAuth } from "./session";
import { SessionAdapter, sessionKey } from "./session-adapter";

let t: TestDb;
/** Another process's connection to the same file: its commits are not reported to this process. */
let other: Db;
beforeEach(async () => {
  t = await createTestDb();
  other = await openDb({ url: t.url });
});
afterEach(() => {
  other.$client.close();
  t.close();
});

const HOUR = 60 * 60 * 1000;
const version = (db: Db) =>
  readValue(db, "select version from cache_versions where name = 'sessions'", []);
const waitForRecheck = () => sleep(CHECK_EVERY_MS + 50);
/** A cache that never reads the version on a timer: only this process's commits make it look again. */
const keepLong = () =>
  VersionedCache.of(t.db, "sessions", "session by key", { checkEveryMs: 60 * 60 * 1000 });

async function signedIn(role: "customer" | "agent" = "agent") {
  const auth = createAuth(t.db, { secure: false });
  const user = await createUser(t.db, { role });
  const session = await auth.createSession(user.id, {});
  expect((await auth.validateSession(session.id)).user?.id).toBe(user.id);
  return { auth, user, session };
}

describe("the sessions a process keeps", () => {
  it("answers a session checked before from memory until this process commits something", async () => {
    keepLong();
    const { auth, session } = await signedIn();
    // Ended by another process, which this one does not hear of: it answers from memory (the window
    // decision 032 bounds by reading the version every 250 ms, lengthened here).
    await other.delete(sessions).where(eq(sessions.id, sessionKey(session.id)));
    expect((await auth.validateSession(session.id)).session).not.toBeNull();
    // Any commit of its own makes it read the version, which the deletion raised.
    await createUser(t.db);
    expect((await auth.validateSession(session.id)).session).toBeNull();
  });

  it("keeps no miss: a session asked for before it exists signs in once made", async () => {
    keepLong();
    const auth = createAuth(t.db, { secure: false });
    const user = await createUser(t.db, { role: "agent" });
    const id = "a-session-id-asked-for-before-it-is-made";
    expect((await auth.validateSession(id)).session).toBeNull();
    // Made by another process: a new session raises no version, so only an unkept miss finds it.
    await new SessionAdapter(other).insertSession({
      id,
      userId: user.id,
      expiresAt: Date.now() + HOUR,
      createdAt: Date.now(),
    });
    expect((await auth.validateSession(id)).user?.id).toBe(user.id);
  });

  it("holds a sign-out, a deactivation and a role change made here for the very next request", async () => {
    keepLong();
    const a = await signedIn();
    await a.auth.invalidateSession(a.session.id);
    expect((await a.auth.validateSession(a.session.id)).session).toBeNull();

    const b = await signedIn();
    await t.db.update(users).set({ deactivatedAt: Date.now() }).where(eq(users.id, b.user.id));
    expect((await b.auth.validateSession(b.session.id)).session).toBeNull();

    const c = await signedIn();
    await t.db.update(users).set({ role: "admin" }).where(eq(users.id, c.user.id));
    expect((await c.auth.validateSession(c.session.id)).user?.role).toBe("admin");
  });

  it("keeps nothing when a trigger the version relies on is missing", async () => {
    await t.db.run(sql`drop trigger cache_versions_sessions_delete`);
    keepLong();
    const { auth, session } = await signedIn();
    await other.delete(sessions).where(eq(sessions.id, sessionKey(session.id)));
    expect((await auth.validateSession(session.id)).session).toBeNull();
  });

  it("stops keeping when a trigger the version relies on goes under a running process", async () => {
    const { auth, session } = await signedIn();
    expect((await auth.validateSession(session.id)).session).not.toBeNull();
    // Dropping a trigger raises no version, only the schema's: the next reading counts the triggers.
    await other.run(sql`drop trigger cache_versions_sessions_delete`);
    await waitForRecheck();
    await auth.validateSession(session.id);
    await other.delete(sessions).where(eq(sessions.id, sessionKey(session.id)));
    expect((await auth.validateSession(session.id)).session).toBeNull();
  });

  it("holds a change made by another process once the version is read again", async () => {
    const a = await signedIn();
    const b = await signedIn();
    await other.delete(sessions).where(eq(sessions.id, sessionKey(a.session.id)));
    await other.update(users).set({ name: "Renamed" }).where(eq(users.id, b.user.id));
    await waitForRecheck();
    expect((await a.auth.validateSession(a.session.id)).session).toBeNull();
    expect((await b.auth.validateSession(b.session.id)).user?.name).toBe("Renamed");
  });

  it("holds a user's erasure by another process (its sessions go by cascade)", async () => {
    const { auth, user, session } = await signedIn("customer");
    await other.delete(users).where(eq(users.id, user.id));
    expect(await other.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    await waitForRecheck();
    expect((await auth.validateSession(session.id)).session).toBeNull();
  });

  it("never ends a session another process has renewed since this one kept it", async () => {
    let now = Date.now();
    const auth = createAuth(t.db, { secure: false, now: () => now });
    const user = await createUser(t.db, { role: "agent" });
    const session = await auth.createSession(user.id, {});
    expect((await auth.validateSession(session.id)).session).not.toBeNull();
    const [row] = await t.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionKey(session.id)));
    // Another process renewed it by an hour; a later end raises no version, so this process still keeps
    // the old end, and an hour after it must look again rather than end the session.
    await other
      .update(sessions)
      .set({ expiresAt: row!.expiresAt + HOUR })
      .where(eq(sessions.id, row!.id));
    now = row!.expiresAt + 1000;
    const checked = await auth.validateSession(session.id);
    expect(checked.session).not.toBeNull();
    const [after] = await t.db.select().from(sessions).where(eq(sessions.id, row!.id));
    expect(after?.expiresAt).toBeGreaterThanOrEqual(row!.expiresAt + HOUR);
  });

  it("never moves a session's end earlier than another process has moved it", async () => {
    const { session } = await signedIn();
    const key = sessionKey(session.id);
    const far = Date.now() + 100 * HOUR;
    await other.update(sessions).set({ expiresAt: far }).where(eq(sessions.id, key));
    const adapter = new SessionAdapter(t.db);
    await adapter.updateSessionExpiration(session.id, new Date(Date.now() + HOUR));
    const [after] = await t.db.select().from(sessions).where(eq(sessions.id, key));
    expect(after?.expiresAt).toBe(far);
  });

  it("raises the version for each change that may end a session or change its user, not a renewal", async () => {
    const { user, session } = await signedIn();
    const key = sessionKey(session.id);
    const steps: [string, () => Promise<unknown>, boolean][] = [
      ["renewal", () => t.db.update(sessions).set({ expiresAt: sql`expires_at + 1` }), false],
      ["shortened", () => t.db.update(sessions).set({ expiresAt: sql`expires_at - 10` }), true],
      ["made older", () => t.db.update(sessions).set({ createdAt: sql`created_at - 1` }), true],
      [
        "user renamed",
        () => t.db.update(users).set({ name: "X" }).where(eq(users.id, user.id)),
        true,
      ],
      ["session ended", () => t.db.delete(sessions).where(eq(sessions.id, key)), true],
      ["user deleted", () => t.db.delete(users).where(eq(users.id, user.id)), true],
    ];
    for (const [what, change, raises] of steps) {
      const before = Number(await version(t.db));
      await change();
      expect({ what, raised: Number(await version(t.db)) > before }).toEqual({
        what,
        raised: raises,
      });
    }
  });
});
