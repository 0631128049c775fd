import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { openDb } from "./client";
import {
  cachePreparedStatements,
  libsqlDatabaseClass,
  STATEMENTS_PER_CONNECTION,
} from "./statement-cache";

let t: TestDb;
afterEach(() => t.close());

type Connection = { prepare(sql: string): unknown; close(): void };
const connect = (path: string) =>
  new (libsqlDatabaseClass() as unknown as new (path: string) => Connection)(path);

describe("prepared statements kept per connection", () => {
  it("reuses a connection's statement for the same SQL, the least recently used dropped first", async () => {
    t = await createTestDb();
    cachePreparedStatements();
    const a = connect(join(t.dir, "test.db"));
    const b = connect(join(t.dir, "test.db"));
    try {
      const first = a.prepare("select 1");
      expect(a.prepare("select 1")).toBe(first);
      expect(b.prepare("select 1")).not.toBe(first);

      const kept = a.prepare("select 2");
      for (let i = 0; i < STATEMENTS_PER_CONNECTION - 1; i++) {
        a.prepare(`select ${i + 100}`);
        a.prepare("select 2"); // used all along: stays
      }
      expect(a.prepare("select 2")).toBe(kept);
      expect(a.prepare("select 1")).not.toBe(first);
    } finally {
      a.close();
      b.close();
    }
  });

  it("answers from the current data and the current schema", async () => {
    t = await createTestDb();
    const other = await openDb({ url: t.url });
    try {
      const read = async () =>
        (await t.db.$client.execute("select key, count from rate_limits order by key")).rows.map(
          (r) => [r.key, r.count],
        );
      expect(await read()).toEqual([]);
      await other.$client.execute(
        "insert into rate_limits (key, window_start, count) values ('a', 0, 7)",
      );
      expect(await read()).toEqual([["a", 7]]);
      // Another connection rebuilds the table with its columns in another order: a kept statement
      // that still read the old column positions would answer nonsense.
      await other.$client.executeMultiple(`
        create table rebuilt (count integer not null, note text, window_start integer not null, key text primary key, last_hit_at integer);
        insert into rebuilt (count, note, window_start, key, last_hit_at) select count, 'n', window_start, key, last_hit_at from rate_limits;
        drop table rate_limits;
        alter table rebuilt rename to rate_limits;
      `);
      expect(await read()).toEqual([["a", 7]]);
    } finally {
      other.$client.close();
    }
  });

  it("remembers a kept statement's modes: no rows from an INSERT, rows from RETURNING and SELECT", async () => {
    t = await createTestDb();
    cachePreparedStatements();
    type Statement = { raw(toggle?: boolean): unknown; safeIntegers(toggle?: boolean): unknown };
    const connection = connect(join(t.dir, "test.db"));
    try {
      const insert = connection.prepare(
        "insert into rate_limits (key, window_start, count) values (?, 0, 1)",
      ) as Statement;
      const first = (() => {
        try {
          insert.raw(true);
        } catch (error) {
          return error;
        }
      })();
      expect(first).toBeInstanceOf(Error);
      // The second time the same error, without asking libsql again.
      expect(() => insert.raw(true)).toThrow(first as Error);
      expect(() => insert.raw(false)).toThrow(first as Error);
      // A reading statement's columns, asked again, without asking libsql again.
      const select = connection.prepare("select key, count from rate_limits") as Statement & {
        columns(): { name: string }[];
      };
      expect(select.columns().map((c) => c.name)).toEqual(["key", "count"]);
      expect(select.columns()).toBe(select.columns());
      // A "*" may name other columns after a schema change: asked anew each time.
      const all = connection.prepare("select * from rate_limits") as Statement & {
        columns(): { name: string }[];
        all(): unknown[];
      };
      const before = all.columns().map((c) => c.name);
      (connection as unknown as { exec(sql: string): void }).exec(
        "alter table rate_limits add column extra text",
      );
      all.all();
      expect(all.columns().map((c) => c.name)).toEqual([...before, "extra"]);
    } finally {
      connection.close();
    }

    // Through the client, which sets the modes before every run.
    for (let i = 0; i < 5; i++)
      await t.db.$client.execute({
        sql: "insert into rate_limits (key, window_start, count) values (?, 0, ?)",
        args: [`k${i}`, i],
      });
    const returned = await t.db.$client.execute({
      sql: "update rate_limits set count = count + 1 where key = ? returning count",
      args: ["k3"],
    });
    expect(returned.rows.map((r) => r.count)).toEqual([4]);
    const counts = await t.db.$client.execute("select count from rate_limits order by key");
    expect(counts.rows.map((r) => r.count)).toEqual([0, 1, 2, 4, 4]);
  });
});
