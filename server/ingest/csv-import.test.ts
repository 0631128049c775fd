import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { asc, count } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contacts, orderItems, orders, shipments } from "../../db/schema";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { importCsv } from "./csv-import";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const file = (name: string, lines: string[]) => {
  const path = join(t.dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
};

const customersCsv = () =>
  file("customers.csv", [
    "externalId,kind,name,contactEmail,contactName,contactIsAdmin",
    "C-1,business,Norðurljós ehf.,jon@nl.is,Jón,true",
    "C-1,business,Norðurljós ehf.,gudrun@nl.is,Guðrún,false",
    "C-2,person,Anna,anna@example.com,Anna,",
    "C-3,robot,Bad Kind,,,",
    "C-4,person,Bad Email,not-an-email,X,",
  ]);

const ordersCsv = () =>
  file("orders.csv", [
    "externalId,customerId,number,status,currency,subtotal,shipping,tax,discount,total,placedAt,updatedAt,sku,itemName,quantity,unitPrice,lineTotal,carrier,trackingNumber,shipmentStatus,shippedAt",
    "O-1,C-1,10001,shipped,ISK,15000,0,2903,0,15000,2026-11-01T10:00:00Z,2026-11-02T10:00:00Z,A,Lopapeysa,1,10000,10000,dhl,JD1,in_transit,2026-11-02T09:00:00Z",
    "O-1,C-1,10001,shipped,ISK,15000,0,2903,0,15000,2026-11-01T10:00:00Z,2026-11-02T10:00:00Z,B,Húfa,2,2500,5000,,,,",
    "O-2,C-9,10002,pending,ISK,100,0,0,0,100,2026-11-01T10:00:00Z,2026-11-01T10:00:00Z,A,Lopapeysa,1,100,100,,,,",
    "O-3,C-2,10003,pending,EUR,abc,0,0,0,100,yesterday,2026-11-01T10:00:00Z,A,Lopapeysa,0,100,100,,,,",
    "O-4,C-2,10004,delivered,EUR,2490,0,0,0,2490,1793527200000,1793527200000,S,Sokkar,1,2490,2490,,,,",
  ]);

describe("importCsv", () => {
  it("loads good records, skips bad ones with the line and every reason, and goes on", async () => {
    const customers = await importCsv(t.db, customersCsv());
    expect(customers).toMatchObject({ kind: "customers", records: 4, created: 2, updated: 0 });
    expect(customers.skipped.map((s) => [s.line, s.id])).toEqual([
      [5, "C-3"],
      [6, "C-4"],
    ]);
    expect(customers.skipped[1]!.reason).toContain("contacts.0.email");
    expect((await t.db.select({ n: count() }).from(contacts))[0]!.n).toBe(3);

    const progress: number[] = [];
    const result = await importCsv(t.db, ordersCsv(), (done) => progress.push(done));
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(result).toMatchObject({ kind: "orders", records: 4, created: 2 });
    expect(result.skipped.map((s) => s.id)).toEqual(["O-2", "O-3"]);
    expect(result.skipped[0]!.reason).toBe(
      "customerId: No customer has this id: send it with PUT /api/v1/customers/{id} first.",
    );
    expect(result.skipped[1]!.reason).toMatch(/subtotal: .*; placedAt: .*; items\.0\.quantity: /);

    const rows = await t.db
      .select({ number: orders.number, itemCount: orders.itemCount })
      .from(orders)
      .orderBy(asc(orders.number));
    expect(rows).toEqual([
      { number: "10001", itemCount: 3 },
      { number: "10004", itemCount: 1 },
    ]);
    expect((await t.db.select({ n: count() }).from(orderItems))[0]!.n).toBe(3);
    expect(
      await t.db.select({ carrier: shipments.carrier, status: shipments.status }).from(shipments),
    ).toEqual([{ carrier: "dhl", status: "in_transit" }]);
  });

  it("changes nothing when the same file is loaded again", async () => {
    await importCsv(t.db, customersCsv());
    const again = await importCsv(t.db, customersCsv());
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it("refuses a file that lacks required columns", async () => {
    await expect(
      importCsv(t.db, file("x.csv", ["externalId,customerId", "O-1,C-1"])),
    ).rejects.toThrow(/lacks the column\(s\) number, status/);
  });
});

describe("npm run import", () => {
  it("prints a summary naming skipped lines and exits 2 when something was skipped", () => {
    const path = customersCsv();
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/import.ts", path], {
      env: { ...process.env, DATABASE_URL: t.url },
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain("4 customers in");
    expect(run.stdout).toContain(
      "2 created, 0 updated, 0 unchanged, 0 ignored as older, 2 skipped",
    );
    expect(run.stdout).toMatch(/skipped line 5 \(C-3\): kind: /);
    expect(run.stderr).toContain("100% (4/4)");
  });
});
