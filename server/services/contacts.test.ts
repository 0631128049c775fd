import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accounts, users } from "../../db/schema";
import { createUser } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { lastMailTo } from "../../tests/helpers/mail";
import type { User } from "../auth/session";
import { upsertCustomer } from "./ingest";

let t: TestDb;
let admin: User;
let colleague: User;
beforeEach(async () => {
  t = await createTestDb();
  const { id } = await upsertCustomer(t.db, "C-1", {
    kind: "business",
    name: "Norðurljós ehf.",
    contacts: [
      { email: "jon@nl.is", name: "Jón", isAdmin: true },
      { email: "gudrun@nl.is", name: "Guðrún", isAdmin: false },
    ],
  });
  admin = await createUser(t.db, { accountId: id, email: "jon@nl.is", name: "Jón" });
  colleague = await createUser(t.db, { accountId: id, email: "gudrun@nl.is", name: "Guðrún" });
  await upsertCustomer(t.db, "C-2", {
    kind: "person",
    name: "Other",
    contacts: [{ email: "other@x.is", name: "O", isAdmin: true }],
  });
});
afterEach(() => t.close());

describe("contacts of a business account", () => {
  it("are listed for the admin contact only", async () => {
    const list = await callerAs(t.db, admin).caller.account.contacts();
    expect(list.map((c) => [c.email, c.isAdmin, c.userId !== null])).toEqual([
      ["gudrun@nl.is", false, true],
      ["jon@nl.is", true, true],
    ]);
    await expect(callerAs(t.db, colleague).caller.account.contacts()).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("grow by invitation, with a mail that leads to sign-up, and survive the company's next sync", async () => {
    const { caller } = callerAs(t.db, admin);
    await caller.account.invite({ name: "Ný", email: "NY@nl.is" });
    const mail = (await lastMailTo(t.db, "ny@nl.is"))!;
    expect(mail.subject).toBe("Jón invited you to Norðurljós ehf.");
    expect(mail.path).toBe("/sign-up?email=ny%40nl.is");
    await upsertCustomer(t.db, "C-1", {
      kind: "business",
      name: "Norðurljós ehf.",
      contacts: [
        { email: "jon@nl.is", name: "Jón", isAdmin: true },
        { email: "gudrun@nl.is", name: "Guðrún", isAdmin: false },
      ],
    });
    expect((await caller.account.contacts()).map((c) => c.email)).toContain("ny@nl.is");
  });

  it("refuse an invitation for someone already listed here or on another account", async () => {
    const { caller } = callerAs(t.db, admin);
    await expect(caller.account.invite({ name: "G", email: "gudrun@nl.is" })).rejects.toMatchObject(
      { code: "CONFLICT", message: "account.alreadyContact" },
    );
    // Someone on another account: refused without saying so.
    await expect(caller.account.invite({ name: "O", email: "other@x.is" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "account.cannotInvite",
    });
    await expect(
      callerAs(t.db, colleague).caller.account.invite({ name: "Z", email: "z@nl.is" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await lastMailTo(t.db, "z@nl.is")).toBeNull();
  });

  it("never pull a customer with their own history into the inviting company, and never break their reset", async () => {
    // Vic signed up on their own and has a request; nobody lists vic yet, so the invitation goes out.
    const vic = await createUser(t.db, { email: "vic@example.com", name: "Vic" });
    await callerAs(t.db, vic).caller.portal.requests.create({
      subject: "My own question",
      message: "Mine alone.",
    });
    await callerAs(t.db, admin).caller.account.invite({ name: "Vic", email: "vic@example.com" });

    // The next reset (which re-checks membership) works and leaves vic where they were.
    const anyone = callerAs(t.db, null).caller;
    await anyone.auth.requestPasswordReset({ email: "vic@example.com", locale: "en" });
    const { token } = (await lastMailTo(t.db, "vic@example.com"))!;
    await anyone.auth.resetPassword({ token: token!, password: "vic's own new password" });
    const again = (await t.db.select().from(users).where(eq(users.id, vic.id)))[0]!;
    expect(again.accountId).toBe(vic.accountId);
    const mine = await callerAs(t.db, {
      ...vic,
      accountId: again.accountId,
    }).caller.portal.requests.list({});
    expect(mine.items.map((r) => r.subject)).toEqual(["My own question"]);
    expect(
      (await callerAs(t.db, admin).caller.portal.requests.list({})).items.map((r) => r.subject),
    ).toEqual([]);
  });

  it("bring an invited person with nothing of their own yet into the company", async () => {
    const ny = await createUser(t.db, { email: "ny@nl.is", name: "Ný" });
    await callerAs(t.db, admin).caller.account.invite({ name: "Ný", email: "ny@nl.is" });
    const anyone = callerAs(t.db, null).caller;
    await anyone.auth.requestPasswordReset({ email: "ny@nl.is", locale: "en" });
    const { token } = (await lastMailTo(t.db, "ny@nl.is"))!;
    await anyone.auth.resetPassword({ token: token!, password: "a new password for ny" });
    const moved = (await t.db.select().from(users).where(eq(users.id, ny.id)))[0]!;
    expect(moved.accountId).toBe(admin.accountId);
    // The person account left behind, empty, is gone.
    expect(await t.db.select().from(accounts).where(eq(accounts.id, ny.accountId!))).toEqual([]);
  });
});
