// Every procedure of the portal router, enumerated from the router itself, against every kind of caller:
// a procedure added without an entry below fails this test.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../server/auth/session";
import { attachments } from "../../db/schema";
import { appRouter } from "../../server/root";
import { upsertCustomer, upsertOrder } from "../../server/services/ingest";
import { createUser, TEST_PASSWORD } from "../factories/people";
import { orderBody } from "../factories/orders";
import { callerAs } from "../helpers/caller";
import { createTestDb, type TestDb } from "../helpers/db";

type Who = "anonymous" | "customerA" | "customerB" | "agent" | "admin";
type Access = "public" | "signedIn" | "customer" | "adminContact" | "staff" | "admin";
const everyone: Who[] = ["anonymous", "customerA", "customerB", "agent", "admin"];

const admits: Record<Access, Who[]> = {
  public: everyone,
  signedIn: ["customerA", "customerB", "agent", "admin"],
  customer: ["customerA", "customerB"],
  adminContact: ["customerA"],
  staff: ["agent", "admin"],
  admin: ["admin"],
};

interface Entry {
  access: Access;
  input?: () => unknown;
  /** The input names account A's data: customer B must get NOT_FOUND. */
  ofAccountA?: boolean;
  /** Changes or ends the caller (sign-out, delete): callers it admits are tested in its own tests. */
  onlyRefusals?: string;
}

let t: TestDb;
const people = {} as Record<Who, User | null>;
let orderOfA = "";
let accountA = "";
let requestOfA = "";
let fileOfA = "";
let siteOfMatrix = "";

/** Who may call each procedure, and an input that is valid for it. */
const procedures: Record<string, Entry> = {
  "health.ping": { access: "public" },
  "health.probe": { access: "public" },
  "auth.me": { access: "public" },
  "auth.signUp": { access: "public", onlyRefusals: "server/routers/auth.test.ts" },
  "auth.signIn": { access: "public", onlyRefusals: "server/routers/auth.test.ts" },
  "auth.signOut": { access: "public", onlyRefusals: "server/routers/auth.test.ts" },
  "auth.requestPasswordReset": {
    access: "public",
    onlyRefusals: "server/services/identity.test.ts",
  },
  "auth.resetPassword": { access: "public", onlyRefusals: "server/services/identity.test.ts" },
  "account.profile": { access: "signedIn" },
  "account.setName": { access: "signedIn", input: () => ({ name: "Renamed" }) },
  "account.setLocale": { access: "signedIn", input: () => ({ locale: "is" }) },
  "account.setPreferences": {
    access: "signedIn",
    input: () => ({ newsletter: true, surveys: false }),
  },
  "account.changePassword": {
    access: "signedIn",
    onlyRefusals: "server/services/identity.test.ts",
    input: () => ({ currentPassword: TEST_PASSWORD, newPassword: "another long password" }),
  },
  "account.requestEmailChange": {
    access: "signedIn",
    onlyRefusals: "server/services/identity.test.ts",
    input: () => ({ password: TEST_PASSWORD, email: "new@example.com" }),
  },
  "account.resendVerification": { access: "signedIn" },
  "account.linkTarget": {
    access: "signedIn",
    onlyRefusals: "server/services/identity.test.ts",
    input: () => ({ token: "x".repeat(43), purpose: "verify-email" }),
  },
  "account.verifyEmail": {
    access: "signedIn",
    onlyRefusals: "server/services/identity.test.ts",
    input: () => ({ token: "x".repeat(43) }),
  },
  "account.confirmEmailChange": {
    access: "signedIn",
    onlyRefusals: "server/services/identity.test.ts",
    input: () => ({ token: "x".repeat(43) }),
  },
  "account.exportData": { access: "signedIn" },
  "account.delete": {
    access: "customer",
    onlyRefusals: "server/services/identity.test.ts",
    input: () => ({ password: TEST_PASSWORD }),
  },
  "account.contactRole": { access: "customer" },
  "account.contacts": { access: "adminContact" },
  "account.invite": {
    access: "adminContact",
    onlyRefusals: "server/services/contacts.test.ts",
    input: () => ({ name: "New Colleague", email: "colleague@a.example" }),
  },
  "portal.home.overview": { access: "customer" },
  "portal.home.account": { access: "customer" },
  "portal.orders.list": { access: "customer", input: () => ({}) },
  "portal.orders.byId": { access: "customer", ofAccountA: true, input: () => ({ id: orderOfA }) },
  "portal.orders.overview": { access: "customer" },
  "staff.home.overview": { access: "staff" },
  "staff.home.team": { access: "admin" },
  "auth.acceptStaffInvite": { access: "public", onlyRefusals: "server/services/admin.test.ts" },
  "files.byId": { access: "signedIn", ofAccountA: true, input: () => ({ id: fileOfA }) },
  "portal.requests.list": { access: "customer", input: () => ({}) },
  "portal.requests.byId": {
    access: "customer",
    ofAccountA: true,
    input: () => ({ id: requestOfA }),
  },
  "portal.requests.categories": { access: "customer" },
  "portal.requests.create": {
    access: "customer",
    input: () => ({ subject: "Matrix", message: "Hello" }),
  },
  "portal.requests.reply": {
    access: "customer",
    ofAccountA: true,
    input: () => ({ id: requestOfA, message: "More" }),
  },
  "portal.requests.resolve": {
    access: "customer",
    ofAccountA: true,
    onlyRefusals: "server/services/requests.test.ts",
    input: () => ({ id: requestOfA }),
  },
  "portal.requests.reopen": {
    access: "customer",
    ofAccountA: true,
    onlyRefusals: "server/services/requests.test.ts",
    input: () => ({ id: requestOfA }),
  },
  "portal.requests.rate": {
    access: "customer",
    ofAccountA: true,
    onlyRefusals: "server/services/requests.test.ts",
    input: () => ({ id: requestOfA, score: 5 }),
  },
  "portal.requests.live": {
    access: "customer",
    onlyRefusals: "server/events/live.test.ts",
    input: () => ({ id: requestOfA }),
  },
  "staff.requests.inbox": { access: "staff", input: () => ({}) },
  "staff.requests.counts": { access: "staff" },
  "staff.requests.staff": { access: "staff" },
  "staff.requests.categories": { access: "staff" },
  "staff.requests.byId": { access: "staff", input: () => ({ id: requestOfA }) },
  "staff.requests.cannedReplies": { access: "staff", input: () => ({ id: requestOfA }) },
  "staff.requests.reply": {
    access: "staff",
    input: () => ({ id: requestOfA, kind: "note", message: "Internal" }),
  },
  "staff.requests.update": { access: "staff", input: () => ({ id: requestOfA, priority: "high" }) },
  "staff.requests.order": { access: "staff", input: () => ({ id: orderOfA }) },
  "staff.requests.account": { access: "staff", input: () => ({ id: accountA }) },
  "staff.requests.live": {
    access: "staff",
    onlyRefusals: "server/events/live.test.ts",
    input: () => ({}),
  },
  "staff.admin.categories": { access: "admin" },
  "staff.admin.createCategory": {
    access: "admin",
    input: () => ({ nameEn: "Billing", nameIs: "Reikningar" }),
  },
  "staff.admin.archiveCategory": {
    access: "admin",
    onlyRefusals: "server/services/admin.test.ts",
    input: () => ({ id: "x", archived: true }),
  },
  "staff.admin.cannedReplies": { access: "staff" },
  "staff.admin.createCannedReply": {
    access: "admin",
    input: () => ({ title: "Hi", body: "Hello {{customer.name}}" }),
  },
  "staff.admin.deleteCannedReply": {
    access: "admin",
    onlyRefusals: "server/services/admin.test.ts",
    input: () => ({ id: "x" }),
  },
  "staff.admin.targets": { access: "staff" },
  "staff.admin.setTargets": {
    access: "admin",
    input: () => ({ urgent: 60, high: 240, normal: 1440, low: 4320 }),
  },
  "staff.admin.staff": { access: "admin" },
  "staff.admin.inviteStaff": {
    access: "admin",
    input: () => ({ name: "New Agent", email: "new.agent@example.com", role: "agent" }),
  },
  "staff.admin.setStaffActive": {
    access: "admin",
    onlyRefusals: "server/services/admin.test.ts",
    input: () => ({ id: "x", active: false }),
  },
  "staff.admin.setNotifyNewRequests": { access: "staff", input: () => ({ on: true }) },
  "staff.admin.failedMail": { access: "admin" },
  "staff.admin.retryMail": {
    access: "admin",
    onlyRefusals: "server/services/admin.test.ts",
    input: () => ({ id: "x" }),
  },
  "portal.feedback.mine": { access: "customer" },
  "portal.feedback.ordersToRate": { access: "customer" },
  "portal.feedback.give": {
    access: "customer",
    input: () => ({ kind: "nps", score: 3, comment: "Meh" }),
  },
  "staff.feedback.analytics": { access: "staff", input: () => ({}) },
  "staff.feedback.stream": { access: "staff", input: () => ({}) },
  "staff.feedback.needsFollowUp": { access: "staff" },
  "staff.feedback.sites": { access: "staff" },
  "staff.feedback.reply": {
    access: "staff",
    onlyRefusals: "server/services/feedback.test.ts",
    input: () => ({ id: "x", message: "Hi" }),
  },
  "staff.feedback.toRequest": {
    access: "staff",
    onlyRefusals: "server/services/feedback.test.ts",
    input: () => ({ id: "x" }),
  },
  "staff.sites.list": { access: "admin" },
  "staff.sites.create": {
    access: "admin",
    input: () => ({ name: "Shop", allowedOrigins: ["https://shop.example.com"] }),
  },
  "staff.sites.update": {
    access: "admin",
    onlyRefusals: "server/services/widget.test.ts",
    input: () => ({ id: "x", name: "Shop", allowedOrigins: ["https://shop.example.com"] }),
  },
  "staff.sites.rotate": {
    access: "admin",
    onlyRefusals: "server/services/widget.test.ts",
    input: () => ({ id: "x" }),
  },
  // Widget abuse controls (issue 6): admins only.
  "staff.sites.setEnabled": { access: "admin", input: () => ({ id: siteOfMatrix, on: true }) },
  "staff.sites.rates": { access: "admin", input: () => ({ id: siteOfMatrix }) },
  "staff.sites.senders": { access: "admin", input: () => ({ id: siteOfMatrix }) },
  "staff.sites.blocks": { access: "admin", input: () => ({ id: siteOfMatrix }) },
  "staff.sites.block": {
    access: "admin",
    input: () => ({ siteId: siteOfMatrix, kind: "ip", value: "203.0.113.9", hours: 1 }),
  },
  "staff.sites.unblock": {
    access: "admin",
    onlyRefusals: "server/services/widget-abuse.test.ts",
    input: () => ({ siteId: siteOfMatrix, id: "x" }),
  },
  "auth.verifyTwoFactor": {
    access: "public",
    onlyRefusals: "server/services/two-factor.test.ts",
    input: () => ({ code: "123456" }),
  },
  "twoFactor.status": { access: "staff" },
  "twoFactor.begin": { access: "staff", onlyRefusals: "server/services/two-factor.test.ts" },
  "twoFactor.confirm": {
    access: "staff",
    onlyRefusals: "server/services/two-factor.test.ts",
    input: () => ({ code: "123456" }),
  },
  "twoFactor.regenerateCodes": {
    access: "staff",
    onlyRefusals: "server/services/two-factor.test.ts",
    input: () => ({ code: "123456" }),
  },
  "twoFactor.disable": {
    access: "staff",
    onlyRefusals: "server/services/two-factor.test.ts",
    input: () => ({ password: TEST_PASSWORD, code: "123456" }),
  },
  "staff.admin.setStaffRole": {
    access: "admin",
    onlyRefusals: "server/services/admin.test.ts",
    input: () => ({ id: "x", role: "admin" }),
  },
  "staff.apiKeys.list": { access: "admin" },
  "staff.apiKeys.create": { access: "admin", input: () => ({ name: "Matrix key" }) },
  "staff.apiKeys.revoke": {
    access: "admin",
    onlyRefusals: "server/services/api-keys.test.ts",
    input: () => ({ id: "x" }),
  },
  "staff.audit.list": { access: "admin", input: () => ({ action: "auth.sign_in" }) },
};

beforeAll(async () => {
  t = await createTestDb();
  const a = await upsertCustomer(t.db, "A", {
    kind: "business",
    name: "Account A ehf.",
    contacts: [
      { email: "alda@a.example", name: "Alda A", isAdmin: true },
      { email: "atli@a.example", name: "Atli A", isAdmin: false },
    ],
  });
  const b = await upsertCustomer(t.db, "B", {
    kind: "business",
    name: "Account B ehf.",
    contacts: [{ email: "bara@b.example", name: "Bára B", isAdmin: false }],
  });
  people.anonymous = null;
  people.customerA = await createUser(t.db, {
    accountId: a.id,
    name: "Alda A",
    email: "alda@a.example",
  });
  await createUser(t.db, { accountId: a.id, name: "Atli A", email: "atli@a.example" });
  people.customerB = await createUser(t.db, {
    accountId: b.id,
    name: "Bára B",
    email: "bara@b.example",
  });
  people.agent = await createUser(t.db, { role: "agent" });
  people.admin = await createUser(t.db, { role: "admin" });
  orderOfA = (await upsertOrder(t.db, "ORDER-A", orderBody("A"))).id;
  accountA = a.id;
  const created = await callerAs(t.db, people.customerA).caller.portal.requests.create({
    subject: "Where is my order?",
    message: "It has not arrived.",
    orderId: orderOfA,
    attachments: [{ name: "note.txt", data: new TextEncoder().encode("hello") }],
  });
  requestOfA = created.id;
  fileOfA = (await t.db.select({ id: attachments.id }).from(attachments))[0]!.id;
  siteOfMatrix = await callerAs(t.db, people.admin).caller.staff.sites.create({
    name: "Matrix shop",
    allowedOrigins: ["https://shop.example.com"],
  });
});
afterAll(() => t.close());

async function call(who: Who, path: string, input: unknown) {
  const { caller } = callerAs(t.db, people[who]);
  const fn = path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (input: unknown) => Promise<unknown>)(input);
}

function expected(who: Who, entry: Entry): string {
  if (!admits[entry.access].includes(who)) {
    return who === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN";
  }
  return entry.ofAccountA && who === "customerB" ? "NOT_FOUND" : "ok";
}

describe("authorization matrix", () => {
  it("lists every procedure of the router", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(procedures).sort());
  });

  const cases = Object.entries(procedures).flatMap(([path, entry]) =>
    everyone
      .filter((who) => !entry.onlyRefusals || expected(who, entry) !== "ok")
      .map((who) => [path, who, expected(who, entry), entry] as const),
  );

  it.each(cases)("%s as %s: %s", async (path, who, outcome, entry) => {
    const got = await call(who, path, entry.input?.()).then(
      () => "ok",
      (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
    );
    expect(got).toBe(outcome);
  });
});

describe("scoping to the caller's account", () => {
  it("shows a customer their own account and its contacts, never another account's", async () => {
    const home = await callerAs(t.db, people.customerB).caller.portal.home.overview();
    expect(home.account.name).toBe("Account B ehf.");
    expect(home.contacts).toEqual([]);

    const homeA = await callerAs(t.db, people.customerA).caller.portal.home.overview();
    expect(homeA.account.name).toBe("Account A ehf.");
    expect(homeA.contacts.map((c) => c.name)).toEqual(["Atli A"]);
    expect(homeA.contactCount).toBe(1);
    expect(await callerAs(t.db, people.customerA).caller.portal.home.account()).toEqual({
      name: "Account A ehf.",
      kind: "business",
    });
  });

  it("lists a big company's first colleagues on the home page and counts the rest", async () => {
    const { id: accountId } = await upsertCustomer(t.db, "BIG", {
      kind: "business",
      name: "Big ehf.",
      contacts: [],
    });
    const people = [];
    for (let i = 0; i < 15; i++)
      people.push(
        await createUser(t.db, { accountId, name: `Colleague ${String(i).padStart(2, "0")}` }),
      );
    const home = await callerAs(t.db, people[0]!).caller.portal.home.overview();
    expect(home.contacts.map((c) => c.name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `Colleague ${String(i + 1).padStart(2, "0")}`),
    );
    expect(home.contactCount).toBe(14);
  });

  it("changes only the caller's own language setting", async () => {
    const accountId = (
      await upsertCustomer(t.db, "L", { kind: "business", name: "L", contacts: [] })
    ).id;
    const [first, second] = [
      await createUser(t.db, { accountId }),
      await createUser(t.db, { accountId }),
    ];
    await callerAs(t.db, first).caller.account.setLocale({ locale: "is" });
    expect((await callerAs(t.db, first).caller.account.profile()).locale).toBe("is");
    expect((await callerAs(t.db, second).caller.account.profile()).locale).toBeNull();
  });

  it("lists only staff in the team, without password hashes", async () => {
    const team = await callerAs(t.db, people.admin).caller.staff.home.team();
    expect(team.every((m) => m.role === "agent" || m.role === "admin")).toBe(true);
    expect(team.map((m) => m.email)).toEqual(
      expect.arrayContaining([people.agent!.email, people.admin!.email]),
    );
    expect(team.map((m) => m.email)).not.toContain(people.customerA!.email);
    expect(JSON.stringify(team)).not.toContain("argon2");
  });
});
