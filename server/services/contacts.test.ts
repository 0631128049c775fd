import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
});
