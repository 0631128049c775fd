// Two-factor sign-in with a real database: enrolment, recovery codes, the second step of sign-in
// (wrong codes, replay, five tries, expiry), switching it off, and what admins without it may do.
import { TRPCError } from "@trpc/server";
import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recoveryCodes, sessions, twoFactorChallenges, users } from "../../db/schema";
import {
  createUser,
  TEST_PASSWORD,
  TEST_TOTP_KEY,
  testTotpCode,
} from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { CHALLENGE_COOKIE, SESSION_COOKIE, type User } from "../auth/session";
import { CHALLENGE_TTL_MS, matchTotp, totpCode, totpStep } from "../auth/totp";
import { describeError } from "../errors";
import { completeSignInChallenge, startSignInChallenge } from "./two-factor";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  const { messageKey, fieldErrors } = describeError(error);
  return { code: (error as TRPCError).code, messageKey, fields: Object.keys(fieldErrors) };
}

const rowOf = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0]!;
const countOf = async (table: typeof sessions | typeof twoFactorChallenges, userId: string) =>
  (await t.db.select({ n: count() }).from(table).where(eq(table.userId, userId)))[0]!.n;
const unusedCodes = async (userId: string) =>
  (
    await t.db
      .select({ usedAt: recoveryCodes.usedAt })
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, userId))
  ).filter((r) => r.usedAt === null).length;

/**
 * An agent who has enrolled through the procedures, with their recovery codes and the time step
 * whose code confirmed it (tests reuse that step rather than reading the clock again, which may
 * have crossed into the next 30-second step meanwhile).
 */
async function enrolledAgent() {
  const agent = await createUser(t.db, { role: "agent" });
  const { caller } = callerAs(t.db, agent);
  const { key } = await caller.twoFactor.begin();
  const step = totpStep(Date.now());
  const codes = await caller.twoFactor.confirm({ code: totpCode(key, step) });
  return { agent: { ...agent, twoFactorEnabled: true }, key, codes, step };
}

/** Signs in with the password; returns the challenge id from its cookie (or null). */
async function firstStep(user: User) {
  const { caller, cookies } = callerAs(t.db, null);
  const result = await caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
  const challenge = cookies.find((c) => c.name === CHALLENGE_COOKIE);
  return { result, cookies, challengeId: challenge?.value ?? null };
}

const secondStep = (challengeId: string, code: string) => {
  const { caller, cookies } = callerAs(t.db, null, null, { challengeId });
  return { cookies, done: caller.auth.verifyTwoFactor({ code }) };
};

describe("TOTP codes", () => {
  // RFC 6238, appendix B: the SHA-1 key "12345678901234567890" gives 94287082 at 59 s (8 digits).
  const rfcKey = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

  it("match RFC 6238's test vector, with one step of clock drift either way and no more", () => {
    expect(totpCode(rfcKey, 1)).toBe("287082");
    expect(matchTotp(rfcKey, "287082", 59_000)).toBe(1);
    expect(matchTotp(rfcKey, "287 082", 59_000)).toBe(1);
    expect(matchTotp(rfcKey, "287082", 59_000 + 30_000)).toBe(1);
    expect(matchTotp(rfcKey, "287082", 59_000 - 30_000)).toBe(1);
    expect(matchTotp(rfcKey, "287082", 59_000 + 60_000)).toBeNull();
    expect(matchTotp(rfcKey, "287083", 59_000)).toBeNull();
    expect(matchTotp(rfcKey, "28708", 59_000)).toBeNull();
  });
});

describe("enrolment", () => {
  it("keeps one key until confirmed, and offers it as an otpauth URI for Tengsl and the email", async () => {
    const agent = await createUser(t.db, { role: "agent", email: "ari@example.com" });
    const { caller } = callerAs(t.db, agent);
    const first = await caller.twoFactor.begin();
    expect(first.key).toMatch(/^[A-Z2-7]{32}$/);
    expect(first.uri).toMatch(/^otpauth:\/\/totp\/Tengsl:ari%40example\.com\?issuer=Tengsl&/);
    expect(first.uri).toContain(`secret=${first.key}`);
    expect(await caller.twoFactor.begin()).toEqual(first);
    expect((await caller.twoFactor.status()).enabled).toBe(false);
  });

  it("refuses a wrong code and changes nothing", async () => {
    const agent = await createUser(t.db, { role: "agent" });
    const { caller } = callerAs(t.db, agent);
    const { key } = await caller.twoFactor.begin();
    const right = totpCode(key, totpStep(Date.now()));
    const wrong = right === "000000" ? "111111" : "000000";
    for (const code of [wrong, "12345", "not a code", ""]) {
      const error = await failure(caller.twoFactor.confirm({ code }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.fields).toEqual(["code"]);
    }
    expect((await rowOf(agent.id)).totpEnabledAt).toBeNull();
    expect(await unusedCodes(agent.id)).toBe(0);
  });

  it("turns it on with a right code and gives 10 recovery codes once, stored only as hashes", async () => {
    const { agent, codes } = await enrolledAgent();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect((await rowOf(agent.id)).totpEnabledAt).not.toBeNull();
    const stored = await t.db
      .select()
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, agent.id));
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(codes[0]!.slice(0, 5));
    const { caller } = callerAs(t.db, agent);
    expect(await caller.twoFactor.status()).toMatchObject({
      enabled: true,
      required: false,
      canDisable: true,
      recoveryCodesLeft: 10,
    });
    expect(await failure(caller.twoFactor.begin())).toMatchObject({
      code: "CONFLICT",
      messageKey: "twoFactor.alreadyEnabled",
    });
  });

  it("makes new recovery codes for a current code, never for one already used", async () => {
    const { agent, key, codes, step } = await enrolledAgent();
    const { caller } = callerAs(t.db, agent);
    // The code that confirmed the enrolment was used: it cannot be used again.
    const used = totpCode(key, step);
    expect(await failure(caller.twoFactor.regenerateCodes({ code: used }))).toMatchObject({
      code: "BAD_REQUEST",
      messageKey: "twoFactor.codeUsed",
    });
    expect(await unusedCodes(agent.id)).toBe(10);
    const fresh = await caller.twoFactor.regenerateCodes({ code: totpCode(key, step + 1) });
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[0]);
    // The old codes no longer sign in.
    const { challengeId } = await firstStep(agent);
    const error = await failure(secondStep(challengeId!, codes[0]!).done);
    expect(error.messageKey).toBe("twoFactor.wrongCode");
  });
});

describe("switching it off", () => {
  it("lets an agent with the password and a current code, and removes the key and codes", async () => {
    const { agent, key, step } = await enrolledAgent();
    const { caller } = callerAs(t.db, agent);
    const code = totpCode(key, step + 1);
    expect(
      await failure(caller.twoFactor.disable({ password: "not my password", code })),
    ).toMatchObject({ messageKey: "auth.wrongPassword", fields: ["password"] });
    expect((await rowOf(agent.id)).totpEnabledAt).not.toBeNull();
    await caller.twoFactor.disable({ password: TEST_PASSWORD, code });
    const row = await rowOf(agent.id);
    expect([row.totpSecret, row.totpEnabledAt]).toEqual([null, null]);
    expect(await unusedCodes(agent.id)).toBe(0);
    expect((await firstStep(agent)).result.twoFactor).toBe(false);
  });

  it("never lets an admin", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    const { caller } = callerAs(t.db, admin);
    expect(
      await failure(caller.twoFactor.disable({ password: TEST_PASSWORD, code: testTotpCode() })),
    ).toMatchObject({ code: "FORBIDDEN", messageKey: "twoFactor.adminsMustKeep" });
    expect((await rowOf(admin.id)).totpEnabledAt).not.toBeNull();
  });
});

describe("signing in with two-factor sign-in", () => {
  it("asks no second step of users without it", async () => {
    const customer = await createUser(t.db);
    const { result, cookies } = await firstStep(customer);
    expect(result).toEqual({ role: "customer", twoFactor: false });
    expect(cookies.map((c) => c.name)).toEqual([SESSION_COOKIE]);
  });

  it("makes no session after the password, only a short-lived HttpOnly challenge cookie", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    const { result, cookies, challengeId } = await firstStep(admin);
    expect(result).toEqual({ role: "admin", twoFactor: true });
    expect(cookies.map((c) => c.name)).toEqual([CHALLENGE_COOKIE]);
    expect(cookies[0]!.attributes).toMatchObject({ httpOnly: true, sameSite: "lax", maxAge: 600 });
    expect(await countOf(sessions, admin.id)).toBe(0);
    // Stored hashed, like session ids.
    const [stored] = await t.db.select().from(twoFactorChallenges);
    expect(stored!.id).not.toBe(challengeId);
  });

  it("signs in with a right code, replacing any session the browser had", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    const { auth } = callerAs(t.db, null);
    const old = await auth.createSession(admin.id, {});
    const { challengeId } = await firstStep(admin);
    const { caller, cookies } = callerAs(t.db, admin, old, { challengeId });
    expect(await caller.auth.verifyTwoFactor({ code: testTotpCode() })).toEqual({ role: "admin" });
    const session = cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(session.value).not.toBe(old.id);
    expect((await auth.validateSession(session.value)).user?.id).toBe(admin.id);
    expect((await auth.validateSession(old.id)).session).toBeNull();
    expect(cookies.find((c) => c.name === CHALLENGE_COOKIE)?.value).toBe("");
    expect(await countOf(twoFactorChallenges, admin.id)).toBe(0);
  });

  it("refuses a code that was already used to sign in (replay)", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    const code = testTotpCode();
    await secondStep((await firstStep(admin)).challengeId!, code).done;
    const again = (await firstStep(admin)).challengeId!;
    const { done, cookies } = secondStep(again, code);
    expect(await failure(done)).toEqual({
      code: "BAD_REQUEST",
      messageKey: "twoFactor.codeUsed",
      fields: ["code"],
    });
    expect(cookies).toEqual([]);
    expect(await countOf(sessions, admin.id)).toBe(1);
    // The next code in the app still works.
    await secondStep(again, testTotpCode(Date.now(), 1)).done;
    expect(await countOf(sessions, admin.id)).toBe(2);
  });

  it("takes each recovery code once", async () => {
    const { agent, codes } = await enrolledAgent();
    await secondStep((await firstStep(agent)).challengeId!, codes[3]!.toUpperCase()).done;
    expect(await unusedCodes(agent.id)).toBe(9);
    const { done } = secondStep((await firstStep(agent)).challengeId!, codes[3]!);
    expect((await failure(done)).messageKey).toBe("twoFactor.wrongCode");
    expect(await countOf(sessions, agent.id)).toBe(1);
  });

  it("counts wrong codes and ends the challenge at the fifth, even for a right code after it", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    const { challengeId } = await firstStep(admin);
    const right = testTotpCode();
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 1; i <= 4; i++) {
      expect(await failure(secondStep(challengeId!, wrong).done)).toMatchObject({
        code: "BAD_REQUEST",
        messageKey: "twoFactor.wrongCode",
      });
      const [row] = await t.db.select().from(twoFactorChallenges);
      expect(row!.attempts).toBe(i);
    }
    expect(await failure(secondStep(challengeId!, wrong).done)).toMatchObject({
      code: "UNAUTHORIZED",
      messageKey: "twoFactor.tooManyAttempts",
    });
    expect(await countOf(twoFactorChallenges, admin.id)).toBe(0);
    expect(await failure(secondStep(challengeId!, right).done)).toMatchObject({
      code: "UNAUTHORIZED",
      messageKey: "twoFactor.challengeExpired",
    });
    expect(await countOf(sessions, admin.id)).toBe(0);
  });

  it("lets a challenge expire after 10 minutes", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    const start = Date.now();
    const id = (await startSignInChallenge(t.db, admin.id, start))!;
    const later = start + CHALLENGE_TTL_MS;
    await expect(
      completeSignInChallenge(t.db, id, testTotpCode(later), later),
    ).rejects.toMatchObject({ messageKey: "twoFactor.challengeExpired" });
    const id2 = (await startSignInChallenge(t.db, admin.id, start))!;
    const inTime = start + CHALLENGE_TTL_MS - 1;
    expect(await completeSignInChallenge(t.db, id2, testTotpCode(inTime), inTime)).toEqual({
      userId: admin.id,
      role: "admin",
    });
  });

  it("answers a second step without a challenge, or with an unknown one, with a clear error", async () => {
    const { caller } = callerAs(t.db, null);
    expect(await failure(caller.auth.verifyTwoFactor({ code: "123456" }))).toMatchObject({
      code: "UNAUTHORIZED",
      messageKey: "twoFactor.challengeExpired",
    });
    expect(await failure(secondStep("made-up", "123456").done)).toMatchObject({
      code: "UNAUTHORIZED",
      messageKey: "twoFactor.challengeExpired",
    });
  });
});

describe("admins without two-factor sign-in", () => {
  it("are refused by every staff and admin procedure and attachment until they enrol, but may enrol", async () => {
    const admin = await createUser(t.db, { role: "admin", twoFactor: false });
    const { caller } = callerAs(t.db, admin);
    const refused = {
      code: "FORBIDDEN",
      messageKey: "error.twoFactorRequired",
      fields: [],
    };
    // A stolen admin password alone reads nothing: not admin settings, not the inbox, not files.
    expect(await failure(caller.staff.admin.staff())).toEqual(refused);
    expect(await failure(caller.staff.requests.counts())).toEqual(refused);
    expect(await failure(caller.files.byId({ id: "any" }))).toEqual(refused);
    // An agent without two-factor sign-in is not held back.
    const agent = await createUser(t.db, { role: "agent" });
    await callerAs(t.db, agent).caller.staff.requests.counts();
    const { key } = await caller.twoFactor.begin();
    expect(await caller.twoFactor.status()).toMatchObject({ enabled: false, required: true });
    await caller.twoFactor.confirm({ code: totpCode(key, totpStep(Date.now())) });
    // The session now carries the enrolment (the layer reads it fresh on each request).
    const enrolled = callerAs(t.db, { ...admin, twoFactorEnabled: true }).caller;
    expect((await enrolled.staff.admin.staff()).map((s) => s.id)).toContain(admin.id);
    await enrolled.staff.requests.counts();
  });

  it("are enrolled when the factory makes them, with the known test key", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    expect(admin.twoFactorEnabled).toBe(true);
    expect((await rowOf(admin.id)).totpSecret).toBe(TEST_TOTP_KEY);
  });
});
