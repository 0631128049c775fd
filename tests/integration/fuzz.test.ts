// Property-based fuzzing of every procedure of both tRPC routers, enumerated from the routers: whoever
// calls with whatever input gets a typed error or an answer, never INTERNAL_SERVER_ERROR. fast-check
// prints the seed and the smallest failing input when a property fails.
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../server/auth/session";
import {
  accounts,
  attachments,
  cannedReplies,
  feedback,
  orders,
  requests,
  sites,
  users,
} from "../../db/schema";
import { errorShape } from "../../server/errors";
import { appRouter } from "../../server/root";
import { widgetRouter } from "../../server/routers/widget";
import { upsertOrder } from "../../server/services/ingest";
import { orderBody } from "../factories/orders";
import { createUser } from "../factories/people";
import { supportCast } from "../factories/requests";
import { callerAs } from "../helpers/caller";
import { createTestDb, type TestDb } from "../helpers/db";
import { mutated, nastyValue, proceduresOf, validish } from "../helpers/schemas";

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const shop = "https://shop.example.com";
type Who = "anonymous" | "customerA" | "customerB" | "agent" | "admin";
const roles: Who[] = ["anonymous", "customerA", "customerB", "agent", "admin"];

let t: TestDb;
const people = {} as Record<Who, User | null>;
/** Real ids and keys, so that fuzzed inputs also reach the code behind the lookups. */
let pool: string[] = [];

beforeAll(async () => {
  t = await createTestDb();
  const cast = await supportCast(t.db);
  Object.assign(people, {
    anonymous: null,
    customerA: cast.alda,
    customerB: cast.bara,
    agent: cast.agent,
    admin: cast.admin,
  });
  const { accountA } = cast;
  const [accountRow] = await t.db.select().from(accounts);
  const externalId = accountRow!.externalId!;
  await upsertOrder(t.db, "FUZZ-ORDER", orderBody(externalId));
  const admin = callerAs(t.db, cast.admin).caller;
  await admin.staff.sites.create({ name: "Shop", allowedOrigins: [shop] });
  await admin.staff.admin.createCannedReply({ title: "Hi", body: "Hello {{customer.name}}" });
  await admin.staff.admin.createCategory({ nameEn: "Billing", nameIs: "Reikningar" });
  await callerAs(t.db, cast.alda).caller.portal.requests.create({
    subject: "Fuzz",
    message: "Hello",
    attachments: [{ name: "a.txt", data: new TextEncoder().encode("a") }],
  });
  await callerAs(t.db, cast.alda).caller.portal.feedback.give({ kind: "nps", score: 9 });
  const ids = async (table: typeof orders | typeof requests | typeof feedback) =>
    (await t.db.select({ id: table.id }).from(table)).map((r) => r.id);
  pool = [
    accountA,
    ...(await ids(orders)),
    ...(await ids(requests)),
    ...(await ids(feedback)),
    ...(await t.db.select({ id: attachments.id }).from(attachments)).map((r) => r.id),
    ...(await t.db.select({ id: cannedReplies.id }).from(cannedReplies)).map((r) => r.id),
    ...(await t.db.select({ id: users.id }).from(users)).map((r) => r.id),
    ...(await t.db.select({ k: sites.publicKey, id: sites.id }).from(sites)).flatMap((r) => [
      r.k,
      r.id,
    ]),
  ];
});
afterAll(() => t.close());

/** What the door would send for an error: must be a typed, non-internal error with no stack in it. */
function checkFailure(error: unknown, what: string) {
  expect(error, what).toBeInstanceOf(TRPCError);
  const e = error as TRPCError;
  expect(e.code, `${what}: ${String(e.cause ?? e)}`).not.toBe("INTERNAL_SERVER_ERROR");
  const sent = JSON.stringify(
    errorShape({ shape: { code: 0, data: { code: e.code, httpStatus: 0 } }, error: e }),
  );
  expect(sent).not.toMatch(/\bat .+:\d+:\d+|node_modules|stack/);
}

/** Calls a procedure by its dotted path; a subscription is opened with an aborted signal and drained. */
async function invoke(caller: unknown, path: string, type: string, input: unknown) {
  const fn = path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  const result = await (fn as (input: unknown) => Promise<unknown>)(input);
  if (type === "subscription") {
    let n = 0;
    for await (const _ of result as AsyncIterable<unknown>) if (++n > 50) break;
  }
}

const inputs = (schema: Parameters<typeof validish>[0] | undefined) =>
  schema
    ? fc.oneof(nastyValue, validish(schema, pool), mutated(schema, pool))
    : fc.oneof(nastyValue, fc.constant(undefined));

describe("fuzzing the portal and staff router", () => {
  const aborted = AbortSignal.abort();
  it.each(proceduresOf(appRouter).map((p) => [p.path, p] as const))(
    "%s never fails with an internal error",
    async (_path, { path, type, input }) => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...roles), inputs(input), async (who, value) => {
          const { caller } = callerAs(t.db, people[who], null, { signal: aborted });
          await invoke(caller, path, type, value).catch((e: unknown) =>
            checkFailure(e, `${path} as ${who}`),
          );
        }),
        { numRuns: RUNS },
      );
    },
  );
});

describe("fuzzing the widget router", () => {
  it.each(proceduresOf(widgetRouter).map((p) => [p.path, p] as const))(
    "%s never fails with an internal error",
    async (_path, { path, type, input }) => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(shop, "https://evil.example", undefined, "null"),
          fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant(null)),
          inputs(input),
          async (origin, ip, value) => {
            const caller = widgetRouter.createCaller({ db: t.db, origin, ip });
            await invoke(caller, path, type, value).catch((e: unknown) =>
              checkFailure(e, `widget.${path} from ${origin}`),
            );
          },
        ),
        { numRuns: RUNS },
      );
    },
  );
});

describe("inputs the fuzzer found", () => {
  it("takes an empty order or category choice as none instead of failing on the foreign key", async () => {
    // A customer of their own: the fuzzing above may have used up the others' request limit.
    const { caller } = callerAs(t.db, await createUser(t.db));
    const { id } = await caller.portal.requests.create({
      subject: "No order",
      message: "Hello",
      orderId: "",
      categoryId: "",
    });
    const [row] = await t.db
      .select({ orderId: requests.orderId, categoryId: requests.categoryId })
      .from(requests)
      .where(eq(requests.id, id));
    expect(row).toEqual({ orderId: null, categoryId: null });
  });

  it("refuses a live stream of an unknown or foreign request with NOT_FOUND when subscribing", async () => {
    const { caller } = callerAs(t.db, people.customerB, null, { signal: AbortSignal.abort() });
    const [ofA] = await t.db
      .select({ id: requests.id })
      .from(requests)
      .where(eq(requests.requesterId, people.customerA!.id));
    await expect(caller.portal.requests.live({ id: ofA!.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const staff = callerAs(t.db, people.agent).caller;
    await expect(staff.staff.requests.live({ id: "unknown" })).rejects.toBeInstanceOf(TRPCError);
  });
});
