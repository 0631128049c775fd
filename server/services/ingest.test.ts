import { asc, count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  accounts,
  contacts,
  orderEvents,
  orderItems,
  orders,
  shipments,
  users,
} from "../../db/schema";
import { orderBody } from "../../tests/factories/orders";
import { createUser } from "../../tests/factories/people";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { DomainError } from "../errors";
import { customerBody, orderBody as orderSchema, upsertCustomer, upsertOrder } from "./ingest";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const business = (emails: string[], admin = emails[0]) =>
  customerBody.parse({
    kind: "business",
    name: "Norðurljós ehf.",
    contacts: emails.map((email) => ({
      email,
      name: email.split("@")[0],
      isAdmin: email === admin,
    })),
  });
const countOf = async (table: typeof orders | typeof orderEvents | typeof orderItems) =>
  (await t.db.select({ n: count() }).from(table))[0]!.n;

describe("upsertCustomer", () => {
  it("creates, then reports unchanged for the same body, then updates", async () => {
    const first = await upsertCustomer(t.db, "C-1", business(["a@x.is", "b@x.is"]));
    expect(first.result).toBe("created");
    expect(await upsertCustomer(t.db, "C-1", business(["a@x.is", "b@x.is"]))).toEqual({
      result: "unchanged",
      id: first.id,
    });
    expect(await upsertCustomer(t.db, "C-1", business(["a@x.is"]))).toEqual({
      result: "updated",
      id: first.id,
    });
    const rows = await t.db
      .select({ email: contacts.email, isAdmin: contacts.isAdmin })
      .from(contacts);
    expect(rows).toEqual([{ email: "a@x.is", isAdmin: true }]);
  });

  it("refuses a contact who belongs to another account, and changes nothing", async () => {
    await upsertCustomer(t.db, "C-1", business(["a@x.is"]));
    const error = await upsertCustomer(t.db, "C-2", business(["new@y.is", "A@X.is"])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "CONFLICT", field: "contacts.1.email" });
    expect((await t.db.select({ n: count() }).from(accounts))[0]!.n).toBe(1);
  });

  it("gives a verified user listed as a contact the account, and takes it away when they are unlisted", async () => {
    const user = await createUser(t.db, { email: "jon@x.is" });
    const { id } = await upsertCustomer(t.db, "C-1", business(["jon@x.is"]));
    const accountOf = async () =>
      (await t.db.select({ a: users.accountId }).from(users).where(eq(users.id, user.id)))[0]!.a;
    expect(await accountOf()).toBe(id);
    await upsertCustomer(t.db, "C-1", business(["other@x.is"]));
    const after = await accountOf();
    expect(after).not.toBe(id);
    expect(
      (await t.db.select({ kind: accounts.kind }).from(accounts).where(eq(accounts.id, after!)))[0]!
        .kind,
    ).toBe("person");
  });

  it("takes a company-managed person account away from someone the company no longer lists", async () => {
    const alice = await createUser(t.db, { email: "alice@x.is" });
    const { id } = await upsertCustomer(t.db, "P-1", {
      kind: "person",
      name: "Household",
      contacts: [{ email: "alice@x.is", name: "Alice", isAdmin: true }],
    });
    const accountOf = async () =>
      (await t.db.select({ a: users.accountId }).from(users).where(eq(users.id, alice.id)))[0]!.a;
    expect(await accountOf()).toBe(id);
    await upsertCustomer(t.db, "P-1", {
      kind: "person",
      name: "Household",
      contacts: [{ email: "bob@x.is", name: "Bob", isAdmin: true }],
    });
    expect(await accountOf()).not.toBe(id);
  });

  it("lets the company's list win over an invitation made in another account's portal", async () => {
    const a = await upsertCustomer(t.db, "A", business(["jon@a.is"]));
    await t.db.insert(contacts).values({
      id: "invited",
      accountId: a.id,
      email: "x@b.is",
      name: "X",
      isAdmin: false,
      source: "portal",
      createdAt: 0,
    });
    const x = await createUser(t.db, { email: "x@b.is" });
    const b = await upsertCustomer(t.db, "B", business(["x@b.is"]));
    expect(b.result).toBe("created");
    const rows = await t.db
      .select({ accountId: contacts.accountId, source: contacts.source })
      .from(contacts)
      .where(eq(contacts.email, "x@b.is"));
    expect(rows).toEqual([{ accountId: b.id, source: "ingest" }]);
    expect(
      (await t.db.select({ a: users.accountId }).from(users).where(eq(users.id, x.id)))[0]!.a,
    ).toBe(b.id);
  });

  it("validates the body: kinds, emails, duplicates", () => {
    const bad = customerBody.safeParse({
      kind: "robot",
      name: "",
      contacts: [
        { email: "x", name: "X" },
        { email: "a@b.is", name: "A" },
        { email: "A@b.is", name: "A2" },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["kind", "name", "contacts.0.email"]));
  });
});

describe("upsertOrder", () => {
  beforeEach(async () => {
    await upsertCustomer(t.db, "C-1", business(["a@x.is"]));
  });

  it("stores the full order once however often the same body arrives", async () => {
    const body = orderBody("C-1", {
      items: [
        { sku: "A", name: "A", quantity: 2, unitPrice: 100, lineTotal: 200 },
        { sku: "B", name: "B", quantity: 1, unitPrice: 50, lineTotal: 50 },
      ],
    });
    const first = await upsertOrder(t.db, "O-1", body);
    expect(first.result).toBe("created");
    expect(await upsertOrder(t.db, "O-1", body)).toEqual({ result: "unchanged", id: first.id });
    expect(await countOf(orders)).toBe(1);
    expect(await countOf(orderItems)).toBe(2);
    expect(await countOf(orderEvents)).toBe(1);
    const [row] = await t.db.select().from(orders);
    expect(row).toMatchObject({ itemCount: 3, status: "processing", currency: "ISK" });
  });

  it("appends a timeline event on each status change and replaces items and shipments", async () => {
    const body = orderBody("C-1");
    await upsertOrder(t.db, "O-1", body);
    const shipped = {
      ...body,
      status: "shipped" as const,
      updatedAt: body.updatedAt + 1000,
      shipments: [{ carrier: "dhl", trackingNumber: "JD1", status: "in_transit" as const }],
    };
    expect((await upsertOrder(t.db, "O-1", shipped)).result).toBe("updated");
    // A newer update with the same status changes the order but adds no event.
    const renamed = {
      ...shipped,
      updatedAt: shipped.updatedAt + 1000,
      items: [{ sku: "C", name: "C", quantity: 1, unitPrice: 1, lineTotal: 1 }],
    };
    expect((await upsertOrder(t.db, "O-1", renamed)).result).toBe("updated");
    const events = await t.db
      .select({ status: orderEvents.status, at: orderEvents.at })
      .from(orderEvents)
      .orderBy(asc(orderEvents.at));
    expect(events).toEqual([
      { status: "processing", at: body.placedAt },
      { status: "shipped", at: shipped.updatedAt },
    ]);
    expect(await t.db.select({ sku: orderItems.sku }).from(orderItems)).toEqual([{ sku: "C" }]);
    expect(await t.db.select({ carrier: shipments.carrier }).from(shipments)).toEqual([
      { carrier: "dhl" },
    ]);
  });

  it("acknowledges and ignores an update older than the stored one", async () => {
    const body = orderBody("C-1", { status: "delivered" });
    await upsertOrder(t.db, "O-1", body);
    const late = { ...body, status: "processing" as const, updatedAt: body.updatedAt - 60_000 };
    expect((await upsertOrder(t.db, "O-1", late)).result).toBe("ignored");
    expect((await t.db.select({ status: orders.status }).from(orders))[0]!.status).toBe(
      "delivered",
    );
    expect(await countOf(orderEvents)).toBe(1);
  });

  it("refuses an unknown customer and a number another order has, writing nothing", async () => {
    await expect(upsertOrder(t.db, "O-1", orderBody("NOPE"))).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      field: "customerId",
    });
    await upsertOrder(t.db, "O-1", orderBody("C-1", { number: "10001" }));
    await expect(
      upsertOrder(t.db, "O-2", orderBody("C-1", { number: "10001" })),
    ).rejects.toMatchObject({ code: "CONFLICT", field: "number" });
    expect(await countOf(orders)).toBe(1);
  });

  it("validates amounts, currencies, dates and items, naming each field", () => {
    const bad = orderSchema.safeParse({
      ...orderBody("C-1"),
      currency: "XYZ",
      total: -1,
      subtotal: 1.5,
      placedAt: "yesterday",
      items: [],
      shippingAddress: { name: "A", line1: "B", postalCode: "101", city: "R", country: "Iceland" },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining([
        "currency",
        "total",
        "subtotal",
        "placedAt",
        "items",
        "shippingAddress.country",
      ]),
    );
  });

  it("refuses times outside 2000 to 2100, such as seconds sent for milliseconds", () => {
    for (const placedAt of [1_793_527_200, 8.64e15 + 1, -1, "1999-12-31T23:59:59Z"]) {
      const parsed = orderSchema.safeParse({ ...orderBody("C-1"), placedAt });
      expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["placedAt"]);
    }
  });

  it("accepts ISO dates with an offset as well as epoch milliseconds", () => {
    const parsed = orderSchema.parse({
      ...orderBody("C-1"),
      placedAt: "2026-11-27T10:00:00+00:00",
      updatedAt: 1_800_000_000_000,
    });
    expect(parsed.placedAt).toBe(Date.UTC(2026, 10, 27, 10));
    expect(parsed.updatedAt).toBe(1_800_000_000_000);
  });
});
