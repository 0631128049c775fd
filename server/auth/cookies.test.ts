import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessions } from "../../db/schema";
import { createUser } from "../../tests/factories/people";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { resolveSession } from "./cookies";
import { createAuth, type Cookie } from "./session";
import { sessionKey } from "./session-adapter";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const DAY = 24 * 60 * 60 * 1000;

describe("stored sessions", () => {
  it("keep only a hash of the id that the cookie carries", async () => {
    const auth = createAuth(t.db, { secure: false });
    const session = await auth.createSession((await createUser(t.db)).id, {});
    const stored = await t.db.select({ id: sessions.id }).from(sessions);
    expect(stored).toEqual([{ id: sessionKey(session.id) }]);
    expect(stored[0]!.id).not.toContain(session.id);
    // The stored value is no cookie: it signs no one in.
    expect((await auth.validateSession(stored[0]!.id)).session).toBeNull();
    expect((await auth.validateSession(session.id)).session?.id).toBe(session.id);
  });
});

describe("resolveSession", () => {
  it("renews a session in the second half of its life, in the database and the cookie", async () => {
    const auth = createAuth(t.db, { secure: false });
    const user = await createUser(t.db);
    const session = await auth.createSession(user.id, {});
    await t.db
      .update(sessions)
      .set({ expiresAt: Date.now() + 2 * DAY })
      .where(eq(sessions.id, sessionKey(session.id)));

    const cookies: Cookie[] = [];
    const resolved = await resolveSession(auth, session.id, { set: (c) => cookies.push(c) });
    expect(resolved.user?.id).toBe(user.id);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]!.value).toBe(session.id);
    const [row] = await t.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionKey(session.id)));
    expect(row!.expiresAt).toBeGreaterThan(Date.now() + 29 * DAY);
  });

  it("leaves a fresh session's cookie alone", async () => {
    const auth = createAuth(t.db, { secure: false });
    const session = await auth.createSession((await createUser(t.db)).id, {});
    const cookies: Cookie[] = [];
    await resolveSession(auth, session.id, { set: (c) => cookies.push(c) });
    expect(cookies).toEqual([]);
  });

  it("clears the cookie of an expired or unknown session and signs no one in", async () => {
    const auth = createAuth(t.db, { secure: false });
    const session = await auth.createSession((await createUser(t.db)).id, {});
    await t.db
      .update(sessions)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(sessions.id, sessionKey(session.id)));
    for (const id of [session.id, "no-such-session"]) {
      const cookies: Cookie[] = [];
      const resolved = await resolveSession(auth, id, { set: (c) => cookies.push(c) });
      expect(resolved).toEqual({ session: null, user: null });
      expect(cookies.map((c) => c.value)).toEqual([""]);
    }
  });
});
