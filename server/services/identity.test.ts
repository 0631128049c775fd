import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accounts, contacts, emailTokens, orders, sessions, users } from "../../db/schema";
import { orderBody } from "../../tests/factories/orders";
import { createUser, TEST_PASSWORD } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { lastMailTo } from "../../tests/helpers/mail";
import { createAuth } from "../auth/session";
import { sessionKey } from "../auth/session-adapter";
import { upsertCustomer, upsertOrder } from "./ingest";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const userRow = async (email: string) =>
  (await t.db.select().from(users).where(eq(users.email, email)))[0];
/** The user as a session would carry them, read fresh from the database. */
async function signedIn(email: string) {
  const row = (await userRow(email))!;
  return {
    id: row.id,
    accountId: row.accountId,
    email: row.email,
    name: row.name,
    role: row.role,
    locale: row.locale,
    emailVerified: row.emailVerifiedAt !== null,
    twoFactorEnabled: row.totpEnabledAt !== null,
  };
}

const sessionCount = async (userId: string) =>
  (await t.db.select({ n: count() }).from(sessions).where(eq(sessions.userId, userId)))[0]!.n;

describe("email verification", () => {
  it("mails a link on sign-up that verifies the address and attaches the user to the account listing it", async () => {
    const company = await upsertCustomer(t.db, "C-1", {
      kind: "business",
      name: "Norðurljós ehf.",
      contacts: [{ email: "ny@nl.is", name: "Ný", isAdmin: false }],
    });
    await upsertOrder(t.db, "O-1", orderBody("C-1", { number: "555" }));

    const { caller } = callerAs(t.db, null);
    await caller.auth.signUp({
      name: "Ný Manneskja",
      email: "ny@nl.is",
      password: "a long enough password",
      locale: "is",
    });
    const before = (await userRow("ny@nl.is"))!;
    expect(before.emailVerifiedAt).toBeNull();
    expect(before.accountId).not.toBe(company.id); // not until the address is proven

    const mail = await lastMailTo(t.db, "ny@nl.is");
    expect(mail?.subject).toBe("Staðfestu netfangið þitt");
    expect(mail?.path).toMatch(/^\/verify-email\?token=/);
    const self = callerAs(t.db, await signedIn("ny@nl.is")).caller;
    expect(await self.account.linkTarget({ token: mail!.token!, purpose: "verify-email" })).toEqual(
      { email: "ny@nl.is" },
    );
    await self.account.verifyEmail({ token: mail!.token! });

    const after = (await userRow("ny@nl.is"))!;
    expect(after.emailVerifiedAt).not.toBeNull();
    expect(after.accountId).toBe(company.id);
    const user = {
      id: after.id,
      accountId: after.accountId,
      email: after.email,
      name: after.name,
      role: after.role,
      locale: after.locale,
      emailVerified: true,
      twoFactorEnabled: false,
    };
    expect(
      (await callerAs(t.db, user).caller.portal.orders.list({})).items.map((o) => o.number),
    ).toEqual(["555"]);
    // The person account made at sign-up was left empty, so it is gone.
    expect(
      await t.db
        .select({ id: accounts.id })
        .from(accounts)
        .where(eq(accounts.id, before.accountId!)),
    ).toEqual([]);
  });

  it("sends a fresh link on request, and the earlier one stops working", async () => {
    const { caller } = callerAs(t.db, null);
    await caller.auth.signUp({
      name: "A",
      email: "a@example.com",
      password: "a long enough password",
    });
    const first = (await lastMailTo(t.db, "a@example.com"))!.token!;
    const self = callerAs(t.db, await signedIn("a@example.com")).caller;
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later outbox row
    await self.account.resendVerification();
    const second = (await lastMailTo(t.db, "a@example.com"))!.token!;
    expect(second).not.toBe(first);
    await expect(self.account.verifyEmail({ token: first })).rejects.toMatchObject({
      message: "identity.linkInvalid",
    });
    await self.account.verifyEmail({ token: second });
    expect((await userRow("a@example.com"))!.emailVerifiedAt).not.toBeNull();
  });

  it("accepts each link once, and refuses unknown ones", async () => {
    await callerAs(t.db, null).caller.auth.signUp({
      name: "A",
      email: "a@example.com",
      password: "a long enough password",
    });
    const { token } = (await lastMailTo(t.db, "a@example.com"))!;
    const self = callerAs(t.db, await signedIn("a@example.com")).caller;
    await self.account.verifyEmail({ token: token! });
    await expect(self.account.verifyEmail({ token: token! })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "identity.linkInvalid",
    });
    await expect(self.account.verifyEmail({ token: "x".repeat(43) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("cannot be used by anyone but the user who asked for it (no joining a company through its inbox)", async () => {
    await upsertCustomer(t.db, "C-1", {
      kind: "business",
      name: "Norðurljós ehf.",
      contacts: [{ email: "boss@nl.is", name: "Boss", isAdmin: true }],
    });
    // Someone signs up with the boss's address; the link goes to the boss, who opens it signed in as themself.
    await callerAs(t.db, null).caller.auth.signUp({
      name: "Intruder",
      email: "boss@nl.is",
      password: "the intruder's password",
    });
    const { token } = (await lastMailTo(t.db, "boss@nl.is"))!;
    const someoneElse = await createUser(t.db, { email: "boss.private@example.com" });
    await expect(
      callerAs(t.db, someoneElse).caller.account.verifyEmail({ token: token! }),
    ).rejects.toMatchObject({ message: "identity.linkInvalid" });
    await expect(
      callerAs(t.db, someoneElse).caller.account.linkTarget({
        token: token!,
        purpose: "verify-email",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      callerAs(t.db, null).caller.account.verifyEmail({ token: token! }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const intruder = (await userRow("boss@nl.is"))!;
    expect(intruder.emailVerifiedAt).toBeNull();

    // The boss takes the address back with a password reset; the intruder's sessions and links end.
    const auth = createAuth(t.db, { secure: false });
    const intruderSession = await auth.createSession(intruder.id, {});
    await callerAs(t.db, null).caller.auth.requestPasswordReset({
      email: "boss@nl.is",
      locale: "en",
    });
    const reset = (await lastMailTo(t.db, "boss@nl.is"))!;
    await callerAs(t.db, null).caller.auth.resetPassword({
      token: reset.token!,
      password: "the boss's own password",
    });
    expect((await auth.validateSession(intruderSession.id)).session).toBeNull();
    await expect(
      callerAs(t.db, await signedIn("boss@nl.is")).caller.account.verifyEmail({ token: token! }),
    ).rejects.toMatchObject({ message: "identity.linkInvalid" });
  });
});

describe("password reset", () => {
  it("mails a single-use link that sets the password and ends every session", async () => {
    const person = await createUser(t.db, { email: "r@example.com" });
    const auth = createAuth(t.db, { secure: false });
    await auth.createSession(person.id, {});
    await auth.createSession(person.id, {});
    const { caller } = callerAs(t.db, null);
    await caller.auth.requestPasswordReset({ email: "R@example.com", locale: "en" });
    const mail = (await lastMailTo(t.db, "r@example.com"))!;
    expect(mail.subject).toBe("Reset your password");

    await expect(
      caller.auth.resetPassword({ token: mail.token!, password: "short" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await caller.auth.resetPassword({ token: mail.token!, password: "a brand new password" });
    expect(await sessionCount(person.id)).toBe(0);
    await expect(
      caller.auth.signIn({ email: "r@example.com", password: TEST_PASSWORD }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await caller.auth.signIn({ email: "r@example.com", password: "a brand new password" });
    await expect(
      caller.auth.resetPassword({ token: mail.token!, password: "yet another password" }),
    ).rejects.toMatchObject({ message: "identity.linkInvalid" });
  });

  it("refuses a link older than an hour", async () => {
    await createUser(t.db, { email: "r@example.com" });
    const { caller } = callerAs(t.db, null);
    await caller.auth.requestPasswordReset({ email: "r@example.com", locale: "en" });
    await t.db.update(emailTokens).set({ expiresAt: Date.now() - 1 });
    const { token } = (await lastMailTo(t.db, "r@example.com"))!;
    await expect(
      caller.auth.resetPassword({ token: token!, password: "a brand new password" }),
    ).rejects.toMatchObject({ message: "identity.linkInvalid" });
  });

  it("refuses a link sent to an address the account no longer has, changing nothing", async () => {
    const person = await createUser(t.db, { email: "old@example.com" });
    await callerAs(t.db, null).caller.auth.requestPasswordReset({
      email: "old@example.com",
      locale: "en",
    });
    const reset = (await lastMailTo(t.db, "old@example.com"))!;
    await t.db.update(users).set({ email: "new@example.com" }).where(eq(users.id, person.id));
    await expect(
      callerAs(t.db, null).caller.auth.resetPassword({
        token: reset.token!,
        password: "a brand new password",
      }),
    ).rejects.toMatchObject({ message: "identity.linkInvalid" });
    await callerAs(t.db, null).caller.auth.signIn({
      email: "new@example.com",
      password: TEST_PASSWORD,
    });
  });

  it("answers the same for an unknown address, and mails no one", async () => {
    const { caller } = callerAs(t.db, null);
    await expect(
      caller.auth.requestPasswordReset({ email: "nobody@example.com", locale: "en" }),
    ).resolves.toBeUndefined();
    expect(await lastMailTo(t.db, "nobody@example.com")).toBeNull();
  });
});

describe("changing password and email", () => {
  it("changes the password with the current one, ends every session and starts a new one here", async () => {
    const person = await createUser(t.db);
    const auth = createAuth(t.db, { secure: false });
    const current = await auth.createSession(person.id, {});
    await auth.createSession(person.id, {});
    const { caller } = callerAs(t.db, person, current);
    await expect(
      caller.account.changePassword({
        currentPassword: "wrong password",
        newPassword: "a brand new password",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await sessionCount(person.id)).toBe(2);
    const { caller: asked, cookies } = callerAs(t.db, person, current);
    await asked.account.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword: "a brand new password",
    });
    // The browser that asked gets a new session; every earlier one, its own too, is gone.
    const left = (await t.db.select({ id: sessions.id }).from(sessions)).map((s) => s.id);
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(sessionKey(current.id));
    const fresh = cookies.find((c) => c.value !== "");
    expect(fresh && sessionKey(fresh.value)).toBe(left[0]);
  });

  it("changes the email only when the link mailed to the new address is followed", async () => {
    const person = await createUser(t.db, { email: "old@example.com" });
    await createUser(t.db, { email: "taken@example.com" });
    const { caller } = callerAs(t.db, person);
    await expect(
      caller.account.requestEmailChange({ password: TEST_PASSWORD, email: "taken@example.com" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      caller.account.requestEmailChange({ password: "nope", email: "new@example.com" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await caller.account.requestEmailChange({ password: TEST_PASSWORD, email: "New@Example.com" });
    expect((await userRow("old@example.com"))?.id).toBe(person.id);
    const { token, path } = (await lastMailTo(t.db, "new@example.com"))!;
    expect(path).toMatch(/^\/verify-email\?change=1&token=/);
    const auth = createAuth(t.db, { secure: false });
    const current = await auth.createSession(person.id, {});
    const other = await auth.createSession(person.id, {});
    await expect(
      callerAs(t.db, null).caller.account.confirmEmailChange({ token: token! }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const confirming = callerAs(t.db, person, current);
    await confirming.caller.account.confirmEmailChange({ token: token! });
    expect((await userRow("new@example.com"))?.id).toBe(person.id);
    // Every earlier session ends; the browser that confirmed carries on with a new one.
    expect((await auth.validateSession(other.id)).session).toBeNull();
    expect((await auth.validateSession(current.id)).session).toBeNull();
    const fresh = confirming.cookies.find((c) => c.value !== "")!;
    expect((await auth.validateSession(fresh.value)).user?.email).toBe("new@example.com");
    // The old address hears of it, with a way back.
    const notice = (await lastMailTo(t.db, "old@example.com"))!;
    expect(notice.subject).toBe("Your email address was changed");
    expect(notice.text).toContain("new@example.com");
    expect(notice.path).toBe("/forgot-password");
  });
});

describe("preferences, export and deletion", () => {
  it("keeps the time consent was given and clears it on withdrawal", async () => {
    const person = await createUser(t.db);
    const { caller } = callerAs(t.db, person);
    await caller.account.setPreferences({ newsletter: true, surveys: false });
    const given = (await caller.account.profile()).newsletterConsentAt;
    expect(given).toBeGreaterThan(0);
    await caller.account.setPreferences({ newsletter: true, surveys: true });
    const again = await caller.account.profile();
    expect(again.newsletterConsentAt).toBe(given);
    expect(again.surveyConsentAt).not.toBeNull();
    await caller.account.setPreferences({ newsletter: false, surveys: true });
    expect((await caller.account.profile()).newsletterConsentAt).toBeNull();
  });

  it("exports the profile and the person's orders, never a password hash", async () => {
    const { id } = await upsertCustomer(t.db, "P-1", {
      kind: "person",
      name: "Anna",
      contacts: [{ email: "anna@example.com", name: "Anna", isAdmin: true }],
    });
    const person = await createUser(t.db, { email: "anna@example.com", accountId: id });
    await upsertOrder(t.db, "O-1", orderBody("P-1", { number: "777" }));
    const data = await callerAs(t.db, person).caller.account.exportData();
    expect(data.profile.email).toBe("anna@example.com");
    expect(data.orders.map((o) => o.number)).toEqual(["777"]);
    expect(data.orders[0]!.items).toHaveLength(1);
    expect(JSON.stringify(data)).not.toMatch(/argon2|password/i);
  });

  it("deletes the person with the password, keeps the orders without their name", async () => {
    const { id } = await upsertCustomer(t.db, "P-1", {
      kind: "person",
      name: "Anna Jóns",
      contacts: [{ email: "anna@example.com", name: "Anna Jóns", isAdmin: true }],
    });
    const person = await createUser(t.db, { email: "anna@example.com", accountId: id });
    await upsertOrder(
      t.db,
      "O-1",
      orderBody("P-1", { placedBy: { email: "anna@example.com", name: "Anna Jóns" } }),
    );
    const { caller, cookies } = callerAs(t.db, person);
    await expect(caller.account.delete({ password: "wrong password" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await userRow("anna@example.com")).toBeDefined();

    await caller.account.delete({ password: TEST_PASSWORD });
    expect(await userRow("anna@example.com")).toBeUndefined();
    expect(await t.db.select().from(contacts)).toEqual([]);
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({
      accountId: id,
      placedByEmail: null,
      placedByName: null,
      shippingAddress: null,
    });
    expect(
      (await t.db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, id)))[0]!
        .name,
    ).toBe("—");
    expect(cookies.at(-1)?.value).toBe("");
  });
});
