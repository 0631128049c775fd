// Migrations from nothing and from the previous release (0000–0005) with a row in every table: the data
// survives, and the tables and columns the current release added are there and usable.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { eq, getTableName, is, sql } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "./client";
import { newId } from "./ids";
import { migrationsUpTo } from "../tests/helpers/migrations";
import { defaultMigrationsFolder, migrateDb } from "./migrate";
import * as schema from "./schema";
import {
  auditLog,
  rateLimits,
  recoveryCodes,
  sites,
  twoFactorChallenges,
  users,
  widgetBlocks,
} from "./schema";

const PREVIOUS_RELEASE_LAST = "0005_feedback_follow_up";

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tengsl-migrate-"));
  db = await openDb({ url: `file:${join(dir, "test.db")}` });
});
afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows<T>(client: Client, query: string, args: (string | number)[] = []) {
  return (await client.execute({ sql: query, args })).rows as unknown as T[];
}

/** Ordinary tables: not SQLite's, not the migrator's, not FTS5's own (virtual and shadow) tables. */
async function dataTables(client: Client): Promise<string[]> {
  const all = await rows<{ name: string; sql: string }>(
    client,
    "select name, sql from sqlite_master where type = 'table' order by name",
  );
  const virtual = all.filter((t) => /create virtual table/i.test(t.sql)).map((t) => t.name);
  return all
    .map((t) => t.name)
    .filter(
      (name) =>
        !name.startsWith("sqlite_") &&
        name !== "__drizzle_migrations" &&
        !virtual.some((v) => name === v || name.startsWith(`${v}_`)),
    );
}

/**
 * One row in every table with every column filled: foreign keys point at the parent's row, columns that a
 * CHECK limits to a list get the list's first value, and the rest get a value made from their names.
 * Returns each table's rows as stored.
 */
async function fillEveryTable(client: Client) {
  const tables = await dataTables(client);
  const filled = new Map<string, Record<string, unknown>>();
  const pending = [...tables];
  while (pending.length > 0) {
    const ready = [];
    for (const table of pending) {
      const keys = await rows<{ table: string; from: string; to: string }>(
        client,
        `select * from pragma_foreign_key_list(?)`,
        [table],
      );
      if (keys.every((k) => k.table === table || filled.has(k.table))) ready.push({ table, keys });
    }
    expect(
      ready.length,
      `tables left with unmet foreign keys: ${pending.join(", ")}`,
    ).toBeGreaterThan(0);
    for (const { table, keys } of ready) {
      const [{ sql: ddl } = { sql: "" }] = await rows<{ sql: string }>(
        client,
        "select sql from sqlite_master where name = ?",
        [table],
      );
      const columns = await rows<{ name: string; type: string }>(
        client,
        `select name, type from pragma_table_info(?)`,
        [table],
      );
      const row: Record<string, unknown> = {};
      for (const column of columns) {
        const key = keys.find((k) => k.from === column.name);
        const listed = new RegExp(`"${table}"\\."${column.name}" in \\('([^']*)'`).exec(ddl);
        if (key && key.table === table) row[column.name] = null;
        else if (key) row[column.name] = filled.get(key.table)![key.to];
        else if (listed) row[column.name] = listed[1];
        else if (/int|real|num/i.test(column.type)) row[column.name] = 1_790_000_000_000;
        // Quoted, so that columns the schema reads as JSON parse too.
        else row[column.name] = JSON.stringify(`${table}-${column.name}`.toLowerCase());
      }
      const names = Object.keys(row);
      await client.execute({
        sql: `insert into "${table}" (${names.map((n) => `"${n}"`).join(", ")}) values (${names.map(() => "?").join(", ")})`,
        args: names.map((n) => row[n] as string | number | null),
      });
      filled.set(table, row);
      pending.splice(pending.indexOf(table), 1);
    }
  }
  return snapshot(client, tables);
}

async function snapshot(client: Client, tables: string[]) {
  const result: Record<string, unknown[]> = {};
  for (const table of tables) result[table] = await rows(client, `select * from "${table}"`);
  return result;
}

const schemaTables = (Object.values(schema) as unknown[]).filter((v): v is SQLiteTable =>
  is(v, SQLiteTable),
);

async function expectSchemaMatches(client: Client) {
  for (const table of schemaTables) {
    const { name, columns } = getTableConfig(table);
    const stored = await rows<{ name: string }>(client, "select name from pragma_table_info(?)", [
      name,
    ]);
    expect(stored.map((c) => c.name).sort(), `columns of ${name}`).toEqual(
      columns.map((c) => c.name).sort(),
    );
  }
}

describe("migrations", () => {
  it("build the whole schema in an empty database, and a second run changes nothing", async () => {
    await migrateDb(db);
    await expectSchemaMatches(db.$client);
    const applied = await rows(db.$client, "select hash from __drizzle_migrations");
    const journal = JSON.parse(
      readFileSync(join(defaultMigrationsFolder, "meta/_journal.json"), "utf8"),
    ) as { entries: unknown[] };
    expect(applied).toHaveLength(journal.entries.length);

    await migrateDb(db);
    expect(await rows(db.$client, "select hash from __drizzle_migrations")).toEqual(applied);
  });

  it("carry the previous release's data over, and the new tables and columns work", async () => {
    await migrateDb(db, migrationsUpTo(dir, PREVIOUS_RELEASE_LAST));
    const before = await fillEveryTable(db.$client);
    expect(Object.keys(before).length).toBeGreaterThan(20);
    for (const [table, stored] of Object.entries(before)) expect(stored, table).toHaveLength(1);

    await migrateDb(db);
    await expectSchemaMatches(db.$client);
    const after = await snapshot(db.$client, Object.keys(before));
    for (const [table, [old]] of Object.entries(before)) {
      // Every old value is still there; new columns start empty.
      expect(after[table], table).toEqual([
        expect.objectContaining(old as Record<string, unknown>),
      ]);
    }
    const [user] = await db.select().from(users);
    expect(user).toMatchObject({ totpSecret: null, totpEnabledAt: null });
    const [site] = await db.select().from(sites);
    expect(site?.disabledAt).toBeNull();
    const [limit] = await db.select().from(rateLimits);
    expect(limit?.lastHitAt).toBeNull();

    // The release's new parts take data next to the old rows.
    const now = Date.now();
    await db
      .update(users)
      .set({ totpSecret: "secret", totpEnabledAt: now })
      .where(eq(users.id, user!.id));
    await db.update(sites).set({ disabledAt: now }).where(eq(sites.id, site!.id));
    await db.update(rateLimits).set({ lastHitAt: now }).where(eq(rateLimits.key, limit!.key));
    await db
      .insert(recoveryCodes)
      .values({ id: newId(), userId: user!.id, codeHash: "h", createdAt: now });
    await db
      .insert(twoFactorChallenges)
      .values({ id: newId(), userId: user!.id, expiresAt: now + 60_000, createdAt: now });
    await db.insert(widgetBlocks).values({
      id: newId(),
      siteId: site!.id,
      kind: "ip",
      value: "192.0.2.1",
      until: now + 60_000,
      createdAt: now,
    });
    await db.insert(auditLog).values({ id: newId(), at: now, action: "migration.test" });
    await expect(db.run(sql`update audit_log set action = 'changed'`)).rejects.toThrow();
    for (const table of [recoveryCodes, twoFactorChallenges, widgetBlocks, auditLog]) {
      expect(await db.$count(table), getTableName(table)).toBe(1);
    }
    const [again] = await db.select().from(users).where(eq(users.id, user!.id));
    expect(again).toMatchObject({ totpSecret: "secret", totpEnabledAt: now });
  });
});
