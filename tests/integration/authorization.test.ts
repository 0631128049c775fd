// Every procedure of the portal router, enumerated from the router itself, against every kind of caller:
// a procedure added without an entry below fails this test.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../server/auth/session";
import { appRouter } from "../../server/root";
import { createAccount, createUser } from "../factories/people";
import { callerAs } from "../helpers/caller";
import { createTestDb, type TestDb } from "../helpers/db";

type Who = "anonymous" | "customerA" | "customerB" | "agent" | "admin";
type Access = "public" | "signedIn" | "customer" | "staff" | "admin";

/** Who may call each procedure, and an input that is valid for it. */
const procedures: Record<string, { access: Access; input?: unknown }> = {
  "auth.me": { access: "public" },
  "auth.signUp": { access: "public", input: "skip: covered in server/routers/auth.test.ts" },
  "auth.signIn": { access: "public", input: "skip: covered in server/routers/auth.test.ts" },
  "auth.signOut": { access: "public" },
  "account.profile": { access: "signedIn" },
  "account.setLocale": { access: "signedIn", input: { locale: "is" } },
  "portal.home.overview": { access: "customer" },
  "staff.home.overview": { access: "staff" },
  "staff.home.team": { access: "admin" },
};

const admits: Record<Access, Who[]> = {
  public: ["anonymous", "customerA", "customerB", "agent", "admin"],
  signedIn: ["customerA", "customerB", "agent", "admin"],
  customer: ["customerA", "customerB"],
  staff: ["agent", "admin"],
  admin: ["admin"],
};

let t: TestDb;
const people = {} as Record<Who, User | null>;

beforeAll(async () => {
  t = await createTestDb();
  const accountA = await createAccount(t.db, "business", "Account A ehf.");
  const accountB = await createAccount(t.db, "business", "Account B ehf.");
  people.anonymous = null;
  people.customerA = await createUser(t.db, { accountId: accountA, name: "Alda A" });
  await createUser(t.db, { accountId: accountA, name: "Atli A" });
  people.customerB = await createUser(t.db, { accountId: accountB, name: "Bára B" });
  people.agent = await createUser(t.db, { role: "agent" });
  people.admin = await createUser(t.db, { role: "admin" });
});
afterAll(() => t.close());

async function call(who: Who, path: string, input: unknown) {
  const { caller } = callerAs(t.db, people[who]);
  const fn = path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (input: unknown) => Promise<unknown>)(input);
}

describe("authorization matrix", () => {
  it("lists every procedure of the router", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(procedures).sort());
  });

  const cases = Object.entries(procedures)
    .filter(([, p]) => !(typeof p.input === "string" && p.input.startsWith("skip")))
    .flatMap(([path, p]) => admits.public.map((who) => [path, who, p] as const));

  it.each(cases)("%s as %s", async (path, who, { access, input }) => {
    const outcome = await call(who, path, input).then(
      () => "ok",
      (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
    );
    const expected = admits[access].includes(who)
      ? "ok"
      : who === "anonymous"
        ? "UNAUTHORIZED"
        : "FORBIDDEN";
    expect(outcome).toBe(expected);
  });
});

describe("scoping to the caller's account", () => {
  it("shows a customer their own account and its contacts, never another account's", async () => {
    const { caller } = callerAs(t.db, people.customerB);
    const home = await caller.portal.home.overview();
    expect(home.account.name).toBe("Account B ehf.");
    expect(home.contacts).toEqual([]);

    const homeA = await callerAs(t.db, people.customerA).caller.portal.home.overview();
    expect(homeA.account.name).toBe("Account A ehf.");
    expect(homeA.contacts.map((c) => c.name)).toEqual(["Atli A"]);
  });

  it("changes only the caller's own language setting", async () => {
    const accountId = await createAccount(t.db, "business");
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
    expect(team.map((m) => m.role).sort()).toEqual(["admin", "agent"]);
    expect(JSON.stringify(team)).not.toContain("argon2");
  });
});
