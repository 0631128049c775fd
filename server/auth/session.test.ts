// Session lifetimes per role, with a clock the test moves: idle timeout and absolute lifetime.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessions } from "../../db/schema";
import { createUser } from "../../tests/factories/people";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { createAuth, sessionLifetimes } from "./session";
import { sessionKey } from "./session-adapter";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2030, 0, 1);

/** An auth whose clock the test sets, and a session for a new user of `role` made at T0. */
async function sessionOf(role: "customer" | "agent" | "admin") {
  let now = T0;
  const auth = createAuth(t.db, { secure: false, now: () => now });
  const user = await createUser(t.db, { role });
  const session = await auth.createSession(user.id, {});
  return {
    auth,
    session,
    at: (ms: number) => {
      now = T0 + ms;
      return auth.validateSession(session.id);
    },
  };
}

const stored = async (id: string) =>
  (
    await t.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionKey(id)))
  )[0];

describe("session lifetimes", () => {
  it("are 30 days idle and 90 days in all for customers, 12 hours and 7 days for staff", () => {
    expect(sessionLifetimes.customer).toEqual({ idleMs: 30 * DAY, absoluteMs: 90 * DAY });
    expect(sessionLifetimes.staff).toEqual({ idleMs: 12 * HOUR, absoluteMs: 7 * DAY });
  });

  it("end a customer's session after 30 days without use, and remove it", async () => {
    const s = await sessionOf("customer");
    expect((await stored(s.session.id))!.expiresAt).toBe(T0 + 30 * DAY);
    // Use on day 10 pushes the end to day 40; nothing happens after that.
    expect((await s.at(10 * DAY)).user).not.toBeNull();
    expect((await s.at(40 * DAY - 1)).user).not.toBeNull();
    expect((await s.at(70 * DAY - 1)).session).toBeNull();
    expect(await stored(s.session.id)).toBeUndefined();
  });

  it("end a customer's session 90 days after sign-in however often it is used", async () => {
    const s = await sessionOf("customer");
    for (const day of [20, 40, 60, 80, 89]) expect((await s.at(day * DAY)).user).not.toBeNull();
    // The end never passes the absolute lifetime, so housekeeping removes the row on time.
    expect((await stored(s.session.id))!.expiresAt).toBe(T0 + 90 * DAY);
    expect((await s.at(90 * DAY)).session).toBeNull();
  });

  it("end a staff session after 12 hours without use", async () => {
    for (const role of ["agent", "admin"] as const) {
      const s = await sessionOf(role);
      expect((await s.at(11 * HOUR)).user?.role).toBe(role);
      expect((await s.at(23 * HOUR - 1)).user).not.toBeNull();
      expect((await s.at(35 * HOUR)).session).toBeNull();
    }
  });

  it("end a staff session 7 days after sign-in however often it is used", async () => {
    const s = await sessionOf("agent");
    for (let h = 6; h < 7 * 24; h += 6)
      expect((await s.at(h * HOUR)).user, `hour ${h}`).not.toBeNull();
    expect((await s.at(7 * DAY)).session).toBeNull();
    expect(await stored(s.session.id)).toBeUndefined();
  });

  it("write the pushed end at most once a minute, and then renew the cookie", async () => {
    const s = await sessionOf("customer");
    const soon = await s.at(30 * 1000);
    expect(soon.session?.fresh).toBe(false);
    expect((await stored(s.session.id))!.expiresAt).toBe(T0 + 30 * DAY);
    const later = await s.at(2 * MINUTE);
    expect(later.session?.fresh).toBe(true);
    expect((await stored(s.session.id))!.expiresAt).toBe(T0 + 2 * MINUTE + 30 * DAY);
  });

  it("give a cookie that lives no longer than the longest session", async () => {
    const s = await sessionOf("agent");
    expect(s.auth.createSessionCookie(s.session.id).attributes.maxAge).toBe(90 * 24 * 60 * 60);
  });
});
