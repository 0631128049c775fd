import { TRPCError } from "@trpc/server";
import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accounts, sessions, users } from "../../db/schema";
import { createUser, TEST_PASSWORD } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { describeError } from "../errors";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const counts = async () => ({
  users: (await t.db.select({ n: count() }).from(users))[0]?.n,
  accounts: (await t.db.select({ n: count() }).from(accounts))[0]?.n,
  sessions: (await t.db.select({ n: count() }).from(sessions))[0]?.n,
});

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return { code: (error as TRPCError).code, ...describeError(error) };
}

const sessionIdOf = (cookies: { name: string; value: string }[]) => cookies.at(-1)?.value ?? "";

describe("auth.signUp", () => {
  it("creates a person account, a customer user and a session with a safe cookie", async () => {
    const { caller, auth, cookies } = callerAs(t.db, null);
    await caller.auth.signUp({
      name: " Anna Jóns ",
      email: "Anna@Example.COM",
      password: "a good long password",
      locale: "is",
    });

    const [user] = await t.db.select().from(users);
    expect(user).toMatchObject({
      email: "anna@example.com",
      name: "Anna Jóns",
      role: "customer",
      locale: "is",
    });
    const [account] = await t.db.select().from(accounts).where(eq(accounts.id, user!.accountId!));
    expect(account).toMatchObject({ kind: "person", name: "Anna Jóns" });
    expect(user!.passwordHash).toMatch(/^\$argon2id\$/);

    expect(cookies).toHaveLength(1);
    expect(cookies[0]!.attributes).toMatchObject({
      httpOnly: true,
      sameSite: "lax",
      secure: false,
      path: "/",
    });
    const { user: signedIn } = await auth.validateSession(sessionIdOf(cookies));
    expect(signedIn?.id).toBe(user!.id);
  });

  it("refuses an email that exists, whatever its case, and creates nothing", async () => {
    await createUser(t.db, { email: "taken@example.com" });
    const before = await counts();
    const { caller, cookies } = callerAs(t.db, null);
    const error = await failure(
      caller.auth.signUp({
        name: "X",
        email: "TAKEN@example.com",
        password: "a good long password",
      }),
    );
    expect(error).toMatchObject({ code: "CONFLICT", fieldErrors: { email: ["auth.emailTaken"] } });
    expect(await counts()).toEqual(before);
    expect(cookies).toEqual([]);
  });

  it.each([
    [
      { name: "A", email: "not-an-email", password: "a good long password" },
      { email: ["validation.emailInvalid"] },
    ],
    [
      { name: "A", email: "a@example.com", password: "short" },
      { password: ["validation.passwordTooShort"] },
    ],
    [
      { name: "A", email: "a@example.com", password: "x".repeat(257) },
      { password: ["validation.passwordTooLong"] },
    ],
    [
      { name: "   ", email: "", password: "" },
      {
        name: ["validation.nameRequired"],
        email: ["validation.emailRequired"],
        password: ["validation.passwordTooShort"],
      },
    ],
    [
      { name: "n".repeat(101), email: "a@example.com", password: "a good long password" },
      { name: ["validation.nameTooLong"] },
    ],
  ])("refuses %j with field errors and creates nothing", async (input, fieldErrors) => {
    const { caller } = callerAs(t.db, null);
    const error = await failure(caller.auth.signUp(input));
    expect(error).toMatchObject({ code: "BAD_REQUEST", fieldErrors });
    expect(await counts()).toEqual({ users: 0, accounts: 0, sessions: 0 });
  });
});

describe("auth.signIn", () => {
  it("signs in with the email in any case and starts a session", async () => {
    const person = await createUser(t.db, { email: "jon@example.com" });
    const { caller, auth, cookies } = callerAs(t.db, null);
    expect(
      await caller.auth.signIn({ email: " JON@example.com ", password: TEST_PASSWORD }),
    ).toEqual({ role: "customer", twoFactor: false });
    const { user } = await auth.validateSession(sessionIdOf(cookies));
    expect(user?.id).toBe(person.id);
  });

  it("says only that email or password is wrong, for a wrong password and for an unknown email", async () => {
    await createUser(t.db, { email: "jon@example.com" });
    const { caller, cookies } = callerAs(t.db, null);
    const wrongPassword = await failure(
      caller.auth.signIn({ email: "jon@example.com", password: "not the password" }),
    );
    const unknownEmail = await failure(
      caller.auth.signIn({ email: "nobody@example.com", password: TEST_PASSWORD }),
    );
    expect(wrongPassword).toEqual({
      code: "UNAUTHORIZED",
      messageKey: "auth.wrongCredentials",
      fieldErrors: {},
    });
    expect(unknownEmail).toEqual(wrongPassword);
    expect(cookies).toEqual([]);
    expect((await counts()).sessions).toBe(0);
  });

  it("replaces the session the browser came with (no session fixation)", async () => {
    const person = await createUser(t.db);
    const { auth } = callerAs(t.db, null);
    const old = await auth.createSession(person.id, {});
    const { caller, cookies } = callerAs(t.db, person, old);
    await caller.auth.signIn({ email: person.email, password: TEST_PASSWORD });
    expect(sessionIdOf(cookies)).not.toBe(old.id);
    expect((await auth.validateSession(old.id)).session).toBeNull();
    expect((await auth.validateSession(sessionIdOf(cookies))).session).not.toBeNull();
  });
});

describe("auth.signOut and auth.me", () => {
  it("ends the session so that it no longer signs anyone in, and clears the cookie", async () => {
    const person = await createUser(t.db);
    const { auth } = callerAs(t.db, null);
    const session = await auth.createSession(person.id, {});
    const { caller, cookies } = callerAs(t.db, person, session);
    expect(await caller.auth.me()).toMatchObject({ email: person.email, role: "customer" });
    await caller.auth.signOut();
    expect((await auth.validateSession(session.id)).user).toBeNull();
    expect(cookies.at(-1)).toMatchObject({ value: "" });
    expect(cookies.at(-1)!.attributes.maxAge).toBe(0);
  });

  it("answers null for a visitor", async () => {
    expect(await callerAs(t.db, null).caller.auth.me()).toBeNull();
  });
});
