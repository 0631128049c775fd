import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outbox, users } from "../../db/schema";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { createUser, TEST_PASSWORD } from "../../tests/factories/people";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { lastMailTo } from "../../tests/helpers/mail";
import { describeError } from "../errors";
import { commonPasswords } from "./common-passwords";
import { isEmailPassword, isGuessablePassword } from "./password-rules";

describe("guessable passwords", () => {
  it("bundles only long entries of the list, lower-cased and without repeats", () => {
    expect(commonPasswords.length).toBeGreaterThan(1000);
    expect(commonPasswords.every((p) => p.length >= 10 && p === p.toLowerCase())).toBe(true);
    expect(new Set(commonPasswords).size).toBe(commonPasswords.length);
  });

  it("refuses common passwords whatever their case", () => {
    for (const password of ["qwertyuiop", "QwertyUIOP", "1234567890", "Password123", "BASKETBALL"])
      expect(isGuessablePassword(password), password).toBe(true);
  });

  it("refuses repeated characters, repeated units and runs", () => {
    const patterns = [
      "aaaaaaaaaa",
      "ababababab",
      "1231231231",
      "zxczxczxczxc",
      "Tengsl!Tengsl!",
      "abcdefghijk",
      "9876543210",
      "ÞÞÞÞÞÞÞÞÞÞ",
    ];
    for (const password of patterns) expect(isGuessablePassword(password), password).toBe(true);
  });

  it("accepts passwords that are neither", () => {
    for (const password of [
      TEST_PASSWORD,
      DEMO_PASSWORD,
      "a long enough password",
      "Hraun 42 við á",
    ])
      expect(isGuessablePassword(password), password).toBe(false);
  });

  it("recognises the person's email address, or its part before the @, however written", () => {
    const email = "Anna.Jonsdottir@example.com";
    for (const password of [
      "anna.jonsdottir@example.com",
      "ANNA.JONSDOTTIR",
      "anna jonsdottir",
      "my anna.jonsdottir@example.com!",
    ])
      expect(isEmailPassword(password, email), password).toBe(true);
    expect(isEmailPassword("anna's own garden 7", email)).toBe(false);
  });
});

describe("every door that sets a password", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.close());

  /** What a refused call reports: its code and the message keys per field. */
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => "accepted",
      (e: { code?: string }) => ({ code: e.code, fields: describeError(e).fieldErrors }),
    );
  const badPasswords = (email: string, field: string) =>
    [
      ["short one", "validation.passwordTooShort"],
      ["Password123", "validation.passwordCommon"],
      ["aaaaaaaaaaaa", "validation.passwordCommon"],
      ["abcdefghijkl", "validation.passwordCommon"],
      [email, "validation.passwordIsEmail"],
      [email.split("@")[0]!.toUpperCase(), "validation.passwordIsEmail"],
    ].map(([password, key]) => ({
      password: password!,
      expected: { code: "BAD_REQUEST", fields: { [field]: [key] } },
    }));
  const hashOf = async (email: string) =>
    (await t.db.select({ h: users.passwordHash }).from(users).where(eq(users.email, email)))[0]?.h;

  it("sign-up stores no one and mails nothing", async () => {
    const { caller } = callerAs(t.db, null);
    const email = "someone.new@example.com";
    for (const { password, expected } of badPasswords(email, "password")) {
      expect(
        await refusal(caller.auth.signUp({ name: "Someone", email, password })),
        password,
      ).toEqual(expected);
    }
    expect((await t.db.select({ n: count() }).from(users))[0]!.n).toBe(0);
    expect((await t.db.select({ n: count() }).from(outbox))[0]!.n).toBe(0);
  });

  it("password reset keeps the old password and the link", async () => {
    const email = "forgetful.person@example.com";
    await createUser(t.db, { email });
    const { caller } = callerAs(t.db, null);
    await caller.auth.requestPasswordReset({ email, locale: "en" });
    const token = (await lastMailTo(t.db, email))!.token!;
    const before = await hashOf(email);
    for (const { password, expected } of badPasswords(email, "password")) {
      expect(await refusal(caller.auth.resetPassword({ token, password })), password).toEqual(
        expected,
      );
    }
    expect(await hashOf(email)).toBe(before);
    await caller.auth.resetPassword({ token, password: "a brand new password" });
    expect(await hashOf(email)).not.toBe(before);
  });

  it("changing the password keeps the old one", async () => {
    const person = await createUser(t.db, { email: "changer.person@example.com" });
    const { caller } = callerAs(t.db, person);
    const before = await hashOf(person.email);
    for (const { password, expected } of badPasswords(person.email, "newPassword")) {
      expect(
        await refusal(
          caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: password }),
        ),
        password,
      ).toEqual(expected);
    }
    expect(await hashOf(person.email)).toBe(before);
  });

  it("a staff invitation stays open and sets no password", async () => {
    const cast = await supportCast(t.db);
    const email = "invited.agent@example.com";
    await callerAs(t.db, cast.admin).caller.staff.admin.inviteStaff({
      name: "Invited Agent",
      email,
      role: "agent",
    });
    const token = (await lastMailTo(t.db, email))!.token!;
    const { caller } = callerAs(t.db, null);
    for (const { password, expected } of badPasswords(email, "password")) {
      expect(await refusal(caller.auth.acceptStaffInvite({ token, password })), password).toEqual(
        expected,
      );
    }
    expect(await hashOf(email)).toBe("!");
    await caller.auth.acceptStaffInvite({ token, password: "the agent's password" });
    expect(await hashOf(email)).not.toBe("!");
  });
});
