import { existsSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { openDb } from "./client";
import { newId } from "./ids";
import { users } from "./schema";

let t: TestDb;
afterEach(() => t.close());

describe("openDb", () => {
  it("creates a missing folder, uses WAL and enforces foreign keys", async () => {
    t = await createTestDb();
    const url = `file:${join(t.dir, "nested", "deeper", "x.db")}`;
    const db = await openDb({ url });
    expect(existsSync(join(t.dir, "nested", "deeper", "x.db"))).toBe(true);
    const mode = await db.get<{ journal_mode: string }>(sql`PRAGMA journal_mode`);
    expect(mode.journal_mode).toBe("wal");
    db.$client.close();

    const orphan = {
      id: newId(),
      accountId: "no-such-account",
      email: "a@example.com",
      name: "A",
      passwordHash: "x",
      role: "customer" as const,
      createdAt: 0,
    };
    await expect(t.db.insert(users).values(orphan)).rejects.toThrow();
  });

  it("refuses what the schema's checks forbid", async () => {
    t = await createTestDb();
    const staff = {
      id: newId(),
      email: "Upper@Example.com",
      name: "S",
      passwordHash: "x",
      role: "agent" as const,
      createdAt: 0,
    };
    await expect(t.db.insert(users).values(staff)).rejects.toThrow(); // email must be stored lower-case
    await expect(
      t.db.insert(users).values({ ...staff, email: "c@example.com", role: "customer" }),
    ).rejects.toThrow(); // customer without account
    await t.db.insert(users).values({ ...staff, email: "s@example.com" });
    const [{ n }] = (await t.db.all<{ n: number }>(sql`select count(*) as n from users`)) as [
      { n: number },
    ];
    expect(n).toBe(1);
  });
});

describe("writers in one process", () => {
  const count = async () =>
    Number((await t.db.$client.execute("select count(*) as n from rate_limits")).rows[0]?.n);

  it("queue instead of failing with SQLITE_BUSY, even when a transaction waits on other work", async () => {
    t = await createTestDb();
    // Each transaction holds the write lock across a real wait (a timer), as one that hashes a password
    // or writes a file would; plain inserts arrive meanwhile on other pooled connections.
    const inTransactions = Array.from({ length: 40 }, (_, i) =>
      t.db.transaction(async (tx) => {
        await tx.run(sql`select count(*) from rate_limits`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await tx.run(
          sql`insert into rate_limits (key, window_start, count) values (${`tx-${i}`}, 0, 1)`,
        );
      }),
    );
    const plain = Array.from({ length: 40 }, (_, i) =>
      t.db.run(
        sql`insert into rate_limits (key, window_start, count) values (${`plain-${i}`}, 0, 1)`,
      ),
    );
    const results = await Promise.allSettled([...inTransactions, ...plain]);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await count()).toBe(80);
  });

  it("roll back a failed transaction completely and let the next writer in", async () => {
    t = await createTestDb();
    const failing = t.db.transaction(async (tx) => {
      await tx.run(sql`insert into rate_limits (key, window_start, count) values ('lost', 0, 1)`);
      throw new Error("refused");
    });
    const next = t.db.run(
      sql`insert into rate_limits (key, window_start, count) values ('kept', 0, 1)`,
    );
    await expect(failing).rejects.toThrow("refused");
    await next;
    const keys = await t.db.$client.execute("select key from rate_limits order by key");
    expect(keys.rows.map((r) => r.key)).toEqual(["kept"]);
  });

  it("are not held up by a long read, which keeps its own snapshot (WAL)", async () => {
    t = await createTestDb();
    await t.db.run(sql`insert into rate_limits (key, window_start, count) values ('before', 0, 1)`);
    // An analytics report reading in one transaction: held open while writes go on.
    const report = await t.db.$client.transaction("read");
    try {
      const seenFirst = await report.execute("select count(*) as n from rate_limits");
      for (let i = 0; i < 20; i++) {
        await t.db.transaction((tx) =>
          tx.run(
            sql`insert into rate_limits (key, window_start, count) values (${`w-${i}`}, 0, 1)`,
          ),
        );
      }
      const seenLater = await report.execute("select count(*) as n from rate_limits");
      expect(Number(seenFirst.rows[0]?.n)).toBe(1);
      expect(Number(seenLater.rows[0]?.n)).toBe(1);
    } finally {
      report.close();
    }
    expect(await count()).toBe(21);
  });
});

describe("reads outside a transaction (kept prepared statements, db/read-statements.ts)", () => {
  /** The same statement through @libsql/client itself, which the kept-statement path must match. */
  async function bothWays(query: string, args: (string | number | boolean | null)[] = []) {
    const plain = createClient({ url: t.url });
    try {
      return {
        kept: await t.db.$client.execute({ sql: query, args }),
        client: await plain.execute({ sql: query, args }),
      };
    } finally {
      plain.close();
    }
  }

  it("answer as the client does: values by index and by name, names and types, blobs, JSON", async () => {
    t = await createTestDb();
    await t.db.$client.execute(
      "create table shapes (id integer primary key, name text, size real, data blob, flag integer)",
    );
    await t.db.$client.execute({
      sql: "insert into shapes values (1, 'a', 1.5, x'00ff10', 1), (2, null, null, null, 0)",
    });
    const query = `select s.id, s.name, s.size, s.data, s.flag, t.id, t.name as "length"
      from shapes s join shapes t on t.id = s.id where s.flag = ? or ? order by s.id`;
    const { kept, client } = await bothWays(query, [true, 0]);
    expect(kept.columns).toEqual(client.columns);
    expect(kept.columnTypes).toEqual(client.columnTypes);
    expect(kept.rows).toHaveLength(1);
    expect(Array.from(kept.rows[0]!)).toEqual(Array.from(client.rows[0]!));
    expect({ ...kept.rows[0] }).toEqual({ ...client.rows[0] });
    expect(JSON.stringify(kept.rows)).toBe(JSON.stringify(client.rows));
    expect(kept.rows[0]!.name).toBe("a");
    expect(new Uint8Array(kept.rows[0]!.data as ArrayBuffer)).toEqual(
      new Uint8Array([0x00, 0xff, 0x10]),
    );
    expect(kept.rows[0]!.length).toBe(7);
    expect(JSON.stringify(kept.toJSON())).toBe(JSON.stringify(client.toJSON()));
  });

  it("see every committed write at once, also after a write failed", async () => {
    t = await createTestDb();
    await t.db.$client.execute("create table n (v integer not null)");
    const count = async () =>
      Number((await t.db.$client.execute("select count(*) as c from n")).rows[0]!.c);
    expect(await count()).toBe(0);
    await t.db.$client.execute("insert into n values (1)");
    expect(await count()).toBe(1);
    await t.db.transaction(async (tx) => {
      await tx.run(sql`insert into n values (2)`);
    });
    expect(await count()).toBe(2);
    await expect(t.db.$client.execute("insert into n values (null)")).rejects.toThrow();
    // A read the kept path cannot take (a bad statement) gives the client's error and breaks nothing.
    await expect(t.db.$client.execute("select nope from n")).rejects.toThrow(/no such column/);
    await t.db.$client.execute("insert into n values (3)");
    expect(await count()).toBe(3);
  });

  it("hand arguments the client would refuse or name to the client", async () => {
    t = await createTestDb();
    await expect(
      t.db.$client.execute({ sql: "select ? as v", args: [Number.NaN] }),
    ).rejects.toThrow(/finite/);
    const named = await t.db.$client.execute({ sql: "select :a as v", args: { a: 7 } });
    expect(named.rows[0]!.v).toBe(7);
    const date = await t.db.$client.execute({ sql: "select ? as v", args: [new Date(5)] });
    expect(date.rows[0]!.v).toBe(5);
  });
});
