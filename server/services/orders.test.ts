import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { orderBody } from "../../tests/factories/orders";
import { createUser } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import type { User } from "../auth/session";
import { upsertCustomer, upsertOrder } from "./ingest";
import { tracking } from "./orders";

let t: TestDb;
let jon: User;
let gudrun: User;
let other: User;
const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 1);

beforeEach(async () => {
  t = await createTestDb();
  const a = await upsertCustomer(t.db, "A", { kind: "business", name: "A", contacts: [] });
  const b = await upsertCustomer(t.db, "B", { kind: "person", name: "B", contacts: [] });
  jon = await createUser(t.db, { accountId: a.id, name: "Jón" });
  gudrun = await createUser(t.db, { accountId: a.id, name: "Guðrún" });
  other = await createUser(t.db, { accountId: b.id });
  for (let i = 0; i < 25; i++) {
    await upsertOrder(
      t.db,
      `A-${i}`,
      orderBody("A", {
        number: String(1000 + i),
        status: i % 5 === 0 ? "shipped" : "delivered",
        placedAt: start + i * DAY,
        items: [
          {
            sku: `SKU-${i}`,
            name: i === 7 ? "Tjald 50% afsláttur" : `Vara ${i}`,
            quantity: 1,
            unitPrice: 100,
            lineTotal: 100,
          },
        ],
        shipments:
          i % 5 === 0
            ? [
                {
                  carrier: "dhl",
                  trackingNumber: `JD${i}`,
                  status: "in_transit",
                  shippedAt: start + i * DAY,
                },
              ]
            : [],
      }),
    );
  }
  await upsertOrder(t.db, "B-1", orderBody("B", { number: "2000" }));
});
afterEach(() => t.close());

describe("orders.list", () => {
  it("shows every contact of a business account all of its orders, newest first, and nobody else's", async () => {
    const forJon = await callerAs(t.db, jon).caller.portal.orders.list({ limit: 100 });
    const forGudrun = await callerAs(t.db, gudrun).caller.portal.orders.list({ limit: 100 });
    expect(forJon.items.map((o) => o.number)).toEqual(forGudrun.items.map((o) => o.number));
    expect(forJon.items).toHaveLength(25);
    expect(forJon.items[0]!.number).toBe("1024");
    expect(forJon.items.some((o) => o.number === "2000")).toBe(false);
  });

  it("pages with a cursor that stays stable when newer orders arrive", async () => {
    const { caller } = callerAs(t.db, jon);
    const first = await caller.portal.orders.list({});
    expect(first.items).toHaveLength(20);
    await upsertOrder(
      t.db,
      "A-new",
      orderBody("A", { number: "9999", placedAt: start + 100 * DAY }),
    );
    const second = await caller.portal.orders.list({ cursor: first.nextCursor! });
    expect(second.items.map((o) => o.number)).toEqual(["1004", "1003", "1002", "1001", "1000"]);
    expect(second.nextCursor).toBeNull();
  });

  it("filters by status and dates, and searches by number or product", async () => {
    const { caller } = callerAs(t.db, jon);
    expect(
      (await caller.portal.orders.list({ status: "shipped" })).items.map((o) => o.number),
    ).toEqual(["1020", "1015", "1010", "1005", "1000"]);
    const range = await caller.portal.orders.list({ from: start + 3 * DAY, to: start + 5 * DAY });
    expect(range.items.map((o) => o.number)).toEqual(["1004", "1003"]);
    expect((await caller.portal.orders.list({ q: "#1012" })).items.map((o) => o.number)).toEqual([
      "1012",
    ]);
    expect((await caller.portal.orders.list({ q: "tjald" })).items.map((o) => o.number)).toEqual([
      "1007",
    ]);
    // LIKE wildcards in the search are literal characters.
    expect((await caller.portal.orders.list({ q: "50%" })).items.map((o) => o.number)).toEqual([
      "1007",
    ]);
    expect((await caller.portal.orders.list({ q: "_" })).items).toEqual([]);
  });

  it("finds another account's order by number for no one", async () => {
    expect((await callerAs(t.db, other).caller.portal.orders.list({ q: "1012" })).items).toEqual(
      [],
    );
  });

  it("refuses a cursor it did not make", async () => {
    await expect(
      callerAs(t.db, jon).caller.portal.orders.list({ cursor: "bm9wZQ" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("orders.byId and overview", () => {
  it("answers NOT_FOUND for another account's order id", async () => {
    const mine = await callerAs(t.db, other).caller.portal.orders.list({});
    const id = mine.items[0]!.id;
    await expect(callerAs(t.db, jon).caller.portal.orders.byId({ id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const order = await callerAs(t.db, other).caller.portal.orders.byId({ id });
    expect(order).toMatchObject({
      number: "2000",
      items: [{ sku: "SKU-1" }],
      events: [{ status: "processing" }],
    });
  });

  it("lists the latest five orders and the shipments on their way", async () => {
    const overview = await callerAs(t.db, gudrun).caller.portal.orders.overview();
    expect(overview.latest.map((o) => o.number)).toEqual(["1024", "1023", "1022", "1021", "1020"]);
    expect(overview.inTransit.map((s) => s.number)).toEqual([
      "1020",
      "1015",
      "1010",
      "1005",
      "1000",
    ]);
    expect(overview.inTransit[0]).toMatchObject({
      carrier: "DHL",
      trackingUrl: expect.stringContaining("JD20") as string,
    });
  });
});

describe("tracking", () => {
  it("links known carriers, escapes the number, and leaves unknown carriers unlinked", () => {
    expect(tracking("posturinn", "CC 1/2")).toEqual({
      carrier: "Pósturinn",
      trackingUrl: "https://posturinn.is/einstaklingar/mottaka/finna-sendingu/?q=CC%201%2F2",
    });
    expect(tracking("Local courier", "X1")).toEqual({
      carrier: "Local courier",
      trackingUrl: null,
    });
    expect(tracking("ups", null).trackingUrl).toBeNull();
  });
});
