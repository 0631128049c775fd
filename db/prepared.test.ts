// prepareRows against Drizzle's own mapping, on a real database: the same rows for whole tables, nested
// selections, inner joins, columns with decoders (JSON, booleans), expressions and nulls.
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccount, createUser } from "../tests/factories/people";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { newId } from "./ids";
import { param, prepareRows } from "./prepared";
import { accounts, sites, users } from "./schema";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
  await t.db.insert(sites).values(
    [
      { origins: ["https://shop.example.com", "https://ísland.example"], anonymous: true },
      { origins: [], anonymous: false },
    ].map(({ origins, anonymous }, i) => ({
      id: newId(),
      name: `Site ${i}`,
      publicKey: `pk_${i}`,
      identitySecret: "secret",
      allowedOrigins: origins,
      allowAnonymous: anonymous,
      disabledAt: i === 1 ? 1_700_000_000_000 : null,
      createdAt: 1_600_000_000_000 + i,
    })),
  );
});
afterEach(() => t.close());

describe("prepareRows", () => {
  it("gives Drizzle's rows for a whole table with JSON and boolean columns and nulls", async () => {
    const query = t.db.select().from(sites).orderBy(sites.createdAt);
    const rows = await prepareRows(t.db, query).all();
    expect(rows).toEqual(await query);
    expect(rows[0]!.allowedOrigins).toEqual(["https://shop.example.com", "https://ísland.example"]);
    expect([rows[0]!.allowAnonymous, rows[1]!.allowAnonymous]).toEqual([true, false]);
    expect([rows[0]!.disabledAt, rows[1]!.disabledAt]).toEqual([null, 1_700_000_000_000]);
  });

  it("gives Drizzle's rows for nested selections over an inner join, with expressions", async () => {
    const accountId = await createAccount(t.db, "business", "Norðurljós ehf.");
    await createUser(t.db, { accountId, name: "Anna" });
    await createUser(t.db, { accountId, name: "Björn" });
    await createUser(t.db, { name: "Someone else" });
    const query = t.db
      .select({
        user: { id: users.id, name: users.name, locale: users.locale },
        account: accounts,
        staff: sql<boolean>`${users.role} <> 'customer'`.mapWith(Boolean),
        letters: sql<number>`length(${users.name})`.as("letters"),
        plain: sql<number>`1 + 1`,
      })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(eq(users.accountId, param("accountId")))
      .orderBy(users.name);
    const rows = await prepareRows(t.db, query).all({ accountId });
    expect(rows).toEqual(await query.prepare().all({ accountId }));
    expect(rows.map((r) => [r.user.name, r.account.name, r.staff, r.letters, r.plain])).toEqual([
      ["Anna", "Norðurljós ehf.", false, 4, 2],
      ["Björn", "Norðurljós ehf.", false, 5, 2],
    ]);
  });

  it("runs the SQL built once with each call's values, and names a missing value", async () => {
    const query = prepareRows(
      t.db,
      t.db
        .select({ name: sites.name })
        .from(sites)
        .where(eq(sites.publicKey, param("key"))),
    );
    expect(await query.all({ key: "pk_1" })).toEqual([{ name: "Site 1" }]);
    expect(await query.all({ key: "pk_0" })).toEqual([{ name: "Site 0" }]);
    expect(await query.all({ key: "none" })).toEqual([]);
    await expect(query.all({})).rejects.toThrow(/No value for placeholder "key"/);
  });

  it("refuses a selected field it cannot map, when the query is built", () => {
    expect(() =>
      prepareRows(t.db, t.db.select({ name: sites.name, odd: new Date() as never }).from(sites)),
    ).toThrow(/cannot map the selected field "odd"/);
  });
});
