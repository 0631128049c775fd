// prepareRows against Drizzle's own mapping, on a real database: the same rows for whole tables, nested
// selections, inner joins, columns with decoders (JSON, booleans), expressions and nulls.
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccount, createUser } from "../tests/factories/people";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { newId } from "./ids";
import type { DbOrTx } from "./client";
import {
  insertWhere,
  param,
  placeholders,
  prepareRows,
  prepareWrite,
  writeTogether,
} from "./prepared";
import { accounts, auditLog, rateLimits, sites, users } from "./schema";

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
    const build = (on: DbOrTx) => on.select().from(sites).orderBy(sites.createdAt);
    const rows = await prepareRows(build).all(t.db);
    expect(rows).toEqual(await build(t.db));
    expect(rows[0]!.allowedOrigins).toEqual(["https://shop.example.com", "https://ísland.example"]);
    expect([rows[0]!.allowAnonymous, rows[1]!.allowAnonymous]).toEqual([true, false]);
    expect([rows[0]!.disabledAt, rows[1]!.disabledAt]).toEqual([null, 1_700_000_000_000]);
  });

  it("gives Drizzle's rows for nested selections over an inner join, with expressions", async () => {
    const accountId = await createAccount(t.db, "business", "Norðurljós ehf.");
    await createUser(t.db, { accountId, name: "Anna" });
    await createUser(t.db, { accountId, name: "Björn" });
    await createUser(t.db, { name: "Someone else" });
    const build = (on: DbOrTx) =>
      on
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
    const rows = await prepareRows(build).all(t.db, { accountId });
    expect(rows).toEqual(await build(t.db).prepare().all({ accountId }));
    expect(rows.map((r) => [r.user.name, r.account.name, r.staff, r.letters, r.plain])).toEqual([
      ["Anna", "Norðurljós ehf.", false, 4, 2],
      ["Björn", "Norðurljós ehf.", false, 5, 2],
    ]);
  });

  it("runs the SQL built once with each call's values, and names a missing value", async () => {
    const query = prepareRows((on) =>
      on
        .select({ name: sites.name })
        .from(sites)
        .where(eq(sites.publicKey, param("key"))),
    );
    expect(await query.all(t.db, { key: "pk_1" })).toEqual([{ name: "Site 1" }]);
    expect(await query.all(t.db, { key: "pk_0" })).toEqual([{ name: "Site 0" }]);
    expect(await query.all(t.db, { key: "none" })).toEqual([]);
    await expect(query.all(t.db, {})).rejects.toThrow(/No value for placeholder "key"/);
  });

  it("reads inside a transaction what the transaction wrote", async () => {
    const names = prepareRows((on) =>
      on
        .select({ name: sites.name })
        .from(sites)
        .where(eq(sites.publicKey, param("key"))),
    );
    await t.db.transaction(async (tx) => {
      await tx.update(sites).set({ name: "Renamed" }).where(eq(sites.publicKey, "pk_0"));
      expect(await names.all(tx, { key: "pk_0" })).toEqual([{ name: "Renamed" }]);
    });
    expect(await names.all(t.db, { key: "pk_0" })).toEqual([{ name: "Renamed" }]);
  });

  it("refuses what its plan cannot map: outer joins, and a select() without a selection over a join", async () => {
    const outer = prepareRows((on) =>
      on
        .select({ name: users.name, account: accounts.name })
        .from(users)
        .leftJoin(accounts, eq(accounts.id, users.accountId)),
    );
    await expect(outer.all(t.db)).rejects.toThrow(/inner joins only/);
    await createUser(t.db, { name: "Anna" });
    const everything = prepareRows((on) =>
      on.select().from(users).innerJoin(accounts, eq(accounts.id, users.accountId)),
    );
    // Rows that travel as JSON are refused by SQLite itself (the page's columns are the selection's).
    await expect(everything.all(t.db)).rejects.toThrow(
      /the selection names \d+ columns|has \d+ values for \d+ columns/,
    );
  });

  it("gives the rows in the select's order and every text as stored, when they travel as JSON", async () => {
    const accountId = await createAccount(t.db, "business", "Norðurljós ehf.");
    const awkward = [
      'quote " and \\ backslash',
      "tab\tnew line\ncontrol \u0001 end",
      "emoji 🧊 and þ, ð, æ",
      "[1, 2]",
      '{"not": "json to SQLite"}',
      "",
    ];
    for (const [i, name] of awkward.entries())
      await createUser(t.db, { accountId, name, email: `u${i}@example.com` });
    const build = (on: DbOrTx) =>
      on
        .select({
          id: users.id,
          name: users.name,
          email: users.email,
          createdAt: users.createdAt,
          // An expression travels as JSON when it names the column its values are.
          upper: sql<string>`upper(${users.email})`.mapWith(users.email),
        })
        .from(users)
        .where(eq(users.accountId, param("accountId")))
        .orderBy(sql`${users.email} desc`)
        .limit(param("limit"));
    const rows = await prepareRows(build).all(t.db, { accountId, limit: 5 });
    expect(rows).toEqual(await build(t.db).prepare().all({ accountId, limit: 5 }));
    expect(rows.map((r) => r.email)).toEqual(
      ["u5", "u4", "u3", "u2", "u1"].map((u) => `${u}@example.com`),
    );
    expect(rows.map((r) => r.name)).toEqual(awkward.slice(1).reverse());
    expect(rows[0]!.upper).toBe("U5@EXAMPLE.COM");
    // No rows is an empty page, on the database and in a transaction.
    expect(await prepareRows(build).all(t.db, { accountId: "none", limit: 5 })).toEqual([]);
    await t.db.transaction(async (tx) => {
      expect(await prepareRows(build).all(tx, { accountId, limit: 2 })).toEqual(rows.slice(0, 2));
    });
  });

  it("refuses a selected field it cannot map, when the query is built", async () => {
    const odd = prepareRows((on) =>
      on.select({ name: sites.name, odd: new Date() as never }).from(sites),
    );
    await expect(odd.all(t.db)).rejects.toThrow(/cannot map the selected field "odd"/);
  });
});

describe("prepareWrite", () => {
  const count = prepareWrite((on) =>
    on
      .insert(rateLimits)
      .values({ key: param("key"), windowStart: param("at"), count: 1 })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: { count: sql`${rateLimits.count} + 1`, windowStart: sql`${param("at")}` },
      })
      .returning({ count: rateLimits.count }),
  );

  it("runs with each call's values, on the database or in a transaction that may roll back", async () => {
    expect(await count.returning(t.db, { key: "a", at: 10 })).toEqual([{ count: 1 }]);
    expect(await count.returning(t.db, { key: "a", at: 20 })).toEqual([{ count: 2 }]);
    await t.db.transaction(async (tx) => {
      expect(await count.returning(tx, { key: "a", at: 30 })).toEqual([{ count: 3 }]);
      await count.run(tx, { key: "b", at: 30 });
    });
    await expect(
      t.db.transaction(async (tx) => {
        await count.run(tx, { key: "c", at: 40 });
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    const rows = await t.db
      .select({ key: rateLimits.key, count: rateLimits.count, at: rateLimits.windowStart })
      .from(rateLimits)
      .orderBy(rateLimits.key);
    expect(rows).toEqual([
      { key: "a", count: 3, at: 30 },
      { key: "b", count: 1, at: 30 },
    ]);
    await expect(count.run(t.db, { key: "d" })).rejects.toThrow(/No value for placeholder "at"/);
  });

  it("binds each value as it is: an array or an SQL object is refused, never written as SQL", async () => {
    const refused = /The value for "key" is not a string, number, boolean, null or bytes/;
    await expect(count.run(t.db, { key: ["a"], at: 1 })).rejects.toThrow(refused);
    await expect(count.run(t.db, { key: sql`(select 'x')`, at: 1 })).rejects.toThrow(refused);
    await t.db.transaction(async (tx) => {
      await expect(count.run(tx, { key: ["a"], at: 1 })).rejects.toThrow(refused);
    });
    const names = prepareRows((on) =>
      on
        .select({ name: sites.name })
        .from(sites)
        .where(eq(sites.publicKey, param("key"))),
    );
    await expect(names.all(t.db, { key: { toString: () => "pk_0" } })).rejects.toThrow(refused);
    expect(await t.db.select().from(rateLimits)).toEqual([]);
  });

  it("refuses, when built, a statement with a question mark of its own", async () => {
    const odd = prepareWrite((on) =>
      on.insert(rateLimits).values({ key: sql`'what?'`, windowStart: param("at"), count: 1 }),
    );
    await expect(odd.run(t.db, { at: 1 })).rejects.toThrow(/may hold no "\?" but its parameters/);
    expect(await t.db.select().from(rateLimits)).toEqual([]);
  });

  it("encodes values through their columns (JSON, booleans), and stores null as NULL", async () => {
    const log = prepareWrite((on) =>
      on
        .insert(auditLog)
        .values({ id: param("id"), at: 1, action: "test", detail: param("detail") }),
    );
    await log.run(t.db, { id: "with", detail: { from: "a", to: ["b", "ð"] } });
    await log.run(t.db, { id: "without", detail: null });
    await log.run(t.db, { id: "zundefined", detail: undefined });
    const stored = await t.db.$client.execute(
      "select id, detail, typeof(detail) as type from audit_log order by id",
    );
    expect(stored.rows.map((r) => [r.id, r.detail, r.type])).toEqual([
      ["with", '{"from":"a","to":["b","ð"]}', "text"],
      ["without", null, "null"],
      ["zundefined", null, "null"],
    ]);
    expect(
      await t.db
        .select({ id: auditLog.id, detail: auditLog.detail })
        .from(auditLog)
        .orderBy(auditLog.id),
    ).toEqual([
      { id: "with", detail: { from: "a", to: ["b", "ð"] } },
      { id: "without", detail: null },
      { id: "zundefined", detail: null },
    ]);
  });

  it("writes a placeholder per column with placeholders(), each asked for by name, but those omitted", async () => {
    const row = { id: "r1", at: 5, action: "test", actorId: null, actorEmail: "a@example.com" };
    const partial = prepareWrite((on) =>
      on
        .insert(auditLog)
        .values(
          placeholders(auditLog, [
            "actorRole",
            "ip",
            "subjectType",
            "subjectId",
            "accountId",
            "detail",
          ]),
        ),
    );
    await partial.run(t.db, row);
    const whole = prepareWrite((on) => on.insert(auditLog).values(placeholders(auditLog)));
    await expect(whole.run(t.db, { ...row, id: "r2" })).rejects.toThrow(
      /No value for placeholder "actorRole"/,
    );
    expect(
      await t.db
        .select({ id: auditLog.id, email: auditLog.actorEmail, ip: auditLog.ip })
        .from(auditLog),
    ).toEqual([{ id: "r1", email: "a@example.com", ip: null }]);
  });
});

describe("insertWhere and writeTogether", () => {
  /** A site, stored only while the rate-limit count named "gate" is at most 1. */
  const gatedSite = prepareWrite((on) =>
    insertWhere(
      on,
      sites,
      ["disabledAt"],
      sql`(select ${rateLimits.count} from ${rateLimits} where ${rateLimits.key} = 'gate') <= 1`,
    ),
  );
  const count = prepareWrite((on) =>
    on
      .insert(rateLimits)
      .values({ key: param("key"), windowStart: 0, count: 1 })
      .onConflictDoUpdate({ target: rateLimits.key, set: { count: sql`${rateLimits.count} + 1` } })
      .returning({ count: rateLimits.count }),
  );
  const site = (id: string) => ({
    id,
    name: `Gated ${id}`,
    publicKey: `pk_${id}`,
    identitySecret: "s",
    allowedOrigins: ["https://gated.example"],
    allowAnonymous: false,
    color: "#000000",
    position: "left",
    createdAt: 1,
  });
  const gated = () =>
    t.db
      .select({ id: sites.id, origins: sites.allowedOrigins, anonymous: sites.allowAnonymous })
      .from(sites)
      .where(sql`${sites.name} like 'Gated %'`)
      .orderBy(sites.id);

  it("inserts through the columns' encoders only while the condition holds, the omitted columns NULL", async () => {
    const answers = [];
    for (const id of ["g1", "g2"])
      answers.push(
        await writeTogether(
          t.db,
          { write: count, values: { key: "gate" } },
          { write: gatedSite, values: site(id) },
        ),
      );
    // Each statement's RETURNING rows as arrays of values; the insert returns none.
    expect(answers.map((a) => a.map((rows) => rows.map((row) => Array.from(row))))).toEqual([
      [[[1]], []],
      [[[2]], []],
    ]);
    expect(await gated()).toEqual([
      { id: "g1", origins: ["https://gated.example"], anonymous: false },
    ]);
    const stored = await t.db.$client.execute(
      "select position, disabled_at, typeof(allow_anonymous) from sites where id = 'g1'",
    );
    expect(Array.from(stored.rows[0]!)).toEqual(["left", null, "integer"]);
  });

  it("commits the statements together or not at all", async () => {
    await writeTogether(
      t.db,
      { write: count, values: { key: "gate" } },
      { write: gatedSite, values: site("g1") },
    );
    await expect(
      writeTogether(
        t.db,
        { write: count, values: { key: "other" } },
        // Another site's public key: the insert fails, and the count before it goes with it.
        { write: gatedSite, values: { ...site("g2"), publicKey: "pk_0" } },
      ),
    ).rejects.toThrow(/UNIQUE constraint failed: sites.public_key/);
    expect(await t.db.select({ key: rateLimits.key }).from(rateLimits)).toEqual([{ key: "gate" }]);
    expect(await gated()).toHaveLength(1);
  });
});
