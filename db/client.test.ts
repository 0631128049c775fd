import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient, LibsqlError, type ResultSet } from "@libsql/client";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { closeDb, GROUP_LIMIT, openDb, readValue, watchCommits, type Db } from "./client";
import { newId } from "./ids";
import { endSqliteThreads } from "./sqlite-thread";
import { users } from "./schema";

const run = promisify(execFile);

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
    const inTransactions = Array.from({ length: 50 }, (_, i) =>
      t.db.transaction(async (tx) => {
        await tx.run(sql`select count(*) from rate_limits`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await tx.run(
          sql`insert into rate_limits (key, window_start, count) values (${`tx-${i}`}, 0, 1)`,
        );
      }),
    );
    const plain = Array.from({ length: 50 }, (_, i) =>
      t.db.run(
        sql`insert into rate_limits (key, window_start, count) values (${`plain-${i}`}, 0, 1)`,
      ),
    );
    const results = await Promise.allSettled([...inTransactions, ...plain]);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await count()).toBe(100);
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

  it("take a WITH that only reads, also while a write transaction holds the queue", async () => {
    t = await createTestDb();
    await t.db.$client.execute("create table n (v integer not null)");
    const page = async () =>
      (
        await t.db.$client.execute(
          "with page(c0) as (select v from n order by v) select json_group_array(c0) from page",
        )
      ).rows[0]![0];
    const seen = await t.db.transaction(async (tx) => {
      await tx.run(sql`insert into n values (1)`);
      // Outside the transaction: a read sees the last commit, and must not queue behind this writer.
      const waited = new Promise((resolve) =>
        setTimeout(resolve, 2_000, "queued behind the writer"),
      );
      return Promise.race([page(), waited]);
    });
    expect(seen).toBe("[]");
    expect(await page()).toBe("[1]");
    // A WITH that writes still takes a turn of its own, and commits.
    await t.db.run(sql`with one(v) as (select 2) insert into n select v from one`);
    expect(await page()).toBe("[1,2]");
  });

  it("give one value of a read with readValue: the first row's first column, undefined for none", async () => {
    t = await createTestDb();
    await t.db.$client.execute("create table n (v integer not null, b blob)");
    await t.db.$client.execute("insert into n values (1, x'0a'), (2, null)");
    const first = "select v, b from n where v >= ? order by v";
    expect(await readValue(t.db, first, [1])).toBe(1);
    expect(await readValue(t.db, first, [3])).toBeUndefined();
    expect(await readValue(t.db, "select b from n order by v", [])).toEqual(
      new Uint8Array([10]).buffer,
    );
    // An argument the kept path does not bind goes to the client, which says why it refuses it.
    await expect(readValue(t.db, first, [Number.NaN])).rejects.toThrow();
    await expect(readValue(t.db, "select nope from n", [])).rejects.toThrow(/no such column/);
    // Committed writes are seen at once (get leaves no read snapshot open).
    await t.db.$client.execute("insert into n values (0, null)");
    expect(await readValue(t.db, first, [0])).toBe(0);
    // Without the file's read connection (memory), the client answers.
    const memory = await openDb({ url: ":memory:" });
    expect(await readValue(memory, "select 7", [])).toBe(7);
    memory.$client.close();
  });

  /** A read that keeps SQLite busy for a good while (counting to three million). */
  const slowCount =
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 3000000) select count(*) as n from c";

  it("run on a thread of their own: the event loop goes on while SQLite works", async () => {
    t = await createTestDb();
    const order: string[] = [];
    const read = t.db.$client.execute(slowCount).then((r) => {
      order.push("read");
      return Number(r.rows[0]!.n);
    });
    setTimeout(() => order.push("timer"), 0);
    const value = readValue(t.db, "select 7", []).then((v) => {
      order.push("value");
      return v;
    });
    expect(await read).toBe(3_000_000);
    expect(await value).toBe(7);
    // On the event loop, the count would have finished before the timer could run.
    expect(order).toEqual(["timer", "read", "value"]);
  });

  it("answer through the client when the thread ends, and start another for the next read", async () => {
    t = await createTestDb();
    await t.db.$client.execute("create table n (v integer not null)");
    await t.db.$client.execute("insert into n values (1), (2)");
    const sent = t.db.$client.execute(slowCount);
    const ended = endSqliteThreads();
    // Asked for after the thread was told to end: the client answers it.
    const value = readValue(t.db, "select sum(v) from n", []);
    await ended;
    expect(Number((await sent).rows[0]!.n)).toBe(3_000_000);
    expect(await value).toBe(3);
    await t.db.$client.execute("insert into n values (3)");
    expect(await readValue(t.db, "select sum(v) from n", [])).toBe(6);
    const rows = await t.db.$client.execute("select v from n order by v");
    expect(rows.rows.map((r) => r.v)).toEqual([1, 2, 3]);
  });

  it("end at shutdown after the reads asked for, keeping the process until then", async () => {
    t = await createTestDb();
    // In a process of its own: a process that awaits the end must neither exit before it nor hang.
    const script = join(t.dir, "end.mts");
    writeFileSync(
      script,
      `import { openDb } from ${JSON.stringify(new URL("./client.ts", import.meta.url).href)};
       import { endSqliteThreads } from ${JSON.stringify(new URL("./sqlite-thread.ts", import.meta.url).href)};
       const db = await openDb({ url: ${JSON.stringify(t.url)} });
       const read = db.$client.execute("select 7 as v");
       await endSqliteThreads();
       console.log((await read).rows[0].v, "ended");
       db.$client.close();`,
    );
    const { stdout } = await run(process.execPath, ["--import", "tsx", script], {
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe("7 ended");
  });

  it("hand arguments the client would refuse or name to the client", async () => {
    t = await createTestDb();
    // One the thread could not even be sent fails that read alone.
    await expect(
      t.db.$client.execute({ sql: "select ? as v", args: [(() => 1) as never] }),
    ).rejects.toThrow();
    expect((await t.db.$client.execute("select 8 as v")).rows[0]!.v).toBe(8);
    await expect(
      t.db.$client.execute({ sql: "select ? as v", args: [Number.NaN] }),
    ).rejects.toThrow(/finite/);
    const named = await t.db.$client.execute({ sql: "select :a as v", args: { a: 7 } });
    expect(named.rows[0]!.v).toBe(7);
    const date = await t.db.$client.execute({ sql: "select ? as v", args: [new Date(5)] });
    expect(date.rows[0]!.v).toBe(5);
  });
});

describe("closeDb", () => {
  it("closes once the writes queued and running have committed", async () => {
    t = await createTestDb();
    const db = await openDb({ url: t.url });
    await db.run(sql`create table n (v integer not null)`);
    const slow = db.transaction(async (tx) => {
      await tx.run(sql`insert into n values (1)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tx.run(sql`insert into n values (2)`);
    });
    const queued = db.$client.execute("insert into n values (3)");
    await closeDb(db);
    await expect(slow).resolves.toBeUndefined();
    await expect(queued).resolves.toBeDefined();
    await expect(db.run(sql`insert into n values (4)`)).rejects.toThrow();
    // Reads too are refused once closed, as the client refuses them (no thread is started for them).
    await expect(readValue(db, "select count(*) from n", [])).rejects.toThrow(/closed/i);
    await expect(db.$client.execute("select count(*) from n")).rejects.toThrow(/closed/i);
    const after = await openDb({ url: t.url });
    expect(
      await readValue(after, "select group_concat(v) from (select v from n order by v)", []),
    ).toBe("1,2,3");
    after.$client.close();
  });
});

describe("group commit", () => {
  const insert = (db: Db | Parameters<Parameters<Db["transaction"]>[0]>[0], key: string) =>
    db.run(sql`insert into rate_limits (key, window_start, count) values (${key}, 0, 1)`);
  const keys = async (db: Db = t.db) =>
    (await db.$client.execute("select key from rate_limits order by key")).rows.map((r) => r.key);
  /** A promise and the function that resolves it. */
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  };

  it("answers no member before the one COMMIT, and then all of them", async () => {
    t = await createTestDb();
    // Another process's view of the file: it sees only what is committed.
    const other = await openDb({ url: t.url });
    try {
      const answered: string[] = [];
      const atGate = gate();
      const hold = gate();
      // Queued together, so they share one physical transaction.
      const first = t.db.transaction((tx) => insert(tx, "a")).then(() => answered.push("a"));
      const second = t.db.transaction((tx) => insert(tx, "b")).then(() => answered.push("b"));
      const last = t.db
        .transaction(async (tx) => {
          await insert(tx, "c");
          atGate.open();
          await hold.opened;
        })
        .then(() => answered.push("c"));

      await atGate.opened;
      // "a" and "b" are done with their part, but nothing is durable yet: neither is answered.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(answered).toEqual([]);
      expect(await keys(other)).toEqual([]);

      hold.open();
      await Promise.all([first, second, last]);
      expect(answered.sort()).toEqual(["a", "b", "c"]);
      expect(await keys(other)).toEqual(["a", "b", "c"]);
    } finally {
      other.$client.close();
    }
  });

  it("undoes only the member that fails or rolls back; the others commit", async () => {
    t = await createTestDb();
    const results = await Promise.allSettled([
      t.db.transaction((tx) => insert(tx, "a")),
      t.db.transaction(async (tx) => {
        await insert(tx, "lost-1");
        throw new Error("refused");
      }),
      t.db.transaction(async (tx) => {
        await insert(tx, "lost-2");
        tx.rollback();
      }),
      insert(t.db, "a"), // a plain write that breaks the primary key: undone alone
      // A batch is all or nothing: its first insert goes with its second.
      t.db.$client.batch([
        "insert into rate_limits (key, window_start, count) values ('lost-3', 0, 1)",
        "insert into rate_limits (key, window_start, count) values ('a', 0, 1)",
      ]),
      t.db.transaction((tx) => insert(tx, "c")),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect(await keys()).toEqual(["a", "c"]);
  });

  it("keeps a member's own savepoints working inside the group", async () => {
    t = await createTestDb();
    await Promise.all([
      t.db.transaction((tx) => insert(tx, "before")),
      t.db.transaction(async (tx) => {
        await insert(tx, "outer");
        await tx
          .transaction(async (inner) => {
            await insert(inner, "inner-undone");
            throw new Error("inner refused");
          })
          .catch(() => {});
        await tx.transaction(async (inner) => {
          await insert(inner, "inner-kept");
          await inner.transaction((deeper) => insert(deeper, "deeper-kept"));
        });
      }),
      t.db.transaction((tx) => insert(tx, "after")),
    ]);
    expect(await keys()).toEqual(["after", "before", "deeper-kept", "inner-kept", "outer"]);
  });

  it("fails every member when the COMMIT fails, and the next writer still gets in", async () => {
    t = await createTestDb();
    const results = await Promise.allSettled([
      t.db.transaction((tx) => insert(tx, "innocent")),
      t.db.transaction(async (tx) => {
        // Foreign keys checked only at COMMIT, and a user whose account does not exist: the group's
        // COMMIT is refused after every member has finished its part.
        await tx.run(sql`PRAGMA defer_foreign_keys = ON`);
        await tx.insert(users).values({
          id: newId(),
          accountId: "no-such-account",
          email: "orphan@example.com",
          name: "Orphan",
          passwordHash: "x",
          role: "customer",
          createdAt: 0,
        });
      }),
      t.db.transaction((tx) => insert(tx, "also-innocent")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(await keys()).toEqual([]);
    const orphans = await t.db.$client.execute("select count(*) as n from users");
    expect(Number(orphans.rows[0]?.n)).toBe(0);

    await insert(t.db, "next");
    expect(await keys()).toEqual(["next"]);
  });

  it(`puts at most ${GROUP_LIMIT} members in one COMMIT`, async () => {
    t = await createTestDb();
    const other = await openDb({ url: t.url });
    try {
      // What another process sees committed when each member starts: the first group's members see
      // nothing, the member beyond the limit sees the whole first group.
      const seen = await Promise.all(
        Array.from({ length: GROUP_LIMIT + 1 }, (_, i) =>
          t.db.transaction(async (tx) => {
            const committed = (await keys(other)).length;
            await insert(tx, `tx-${String(i).padStart(3, "0")}`);
            return committed;
          }),
        ),
      );
      expect(seen).toEqual([...Array<number>(GROUP_LIMIT).fill(0), GROUP_LIMIT]);
      expect(await keys()).toHaveLength(GROUP_LIMIT + 1);
    } finally {
      other.$client.close();
    }
  });
});

describe("writes with nothing to run between their statements (db/write-statements.ts)", () => {
  const keys = async () =>
    (await t.db.$client.execute("select key from rate_limits order by key")).rows.map((r) => r.key);
  const insertKey = (key: string) =>
    t.db.$client.execute({
      sql: "insert into rate_limits (key, window_start, count) values (?, 0, 1)",
      args: [key],
    });

  it("answer as the client does: rows changed, the last rowid, RETURNING rows by index and name", async () => {
    t = await createTestDb();
    await t.db.$client.execute("create table w (id integer primary key, v text, b blob)");
    const plain = createClient({ url: t.url });
    try {
      const statements = [
        { sql: "insert into w (v, b) values (?, ?)", args: ["a", new Uint8Array([1, 2])] },
        {
          sql: "insert into w (v) values (?), (?) returning id, v, b, v as again",
          args: ["b", "c"],
        },
        { sql: "update w set v = v || ? where id > ?", args: ["!", 1] },
        { sql: "delete from w where id = ?", args: [3] },
      ];
      const shape = (r: ResultSet) => ({
        ...(r.toJSON() as object),
        byName: r.rows.map((row) => row.v),
      });
      const threaded: unknown[] = [];
      for (const s of statements) threaded.push(shape(await t.db.$client.execute(s)));
      const first = await t.db.$client.execute(statements[0]!);
      expect(first.rowsAffected).toBe(1);
      expect(first.lastInsertRowid).toBe(3n);
      await plain.execute("delete from w");
      await plain.execute("delete from sqlite_sequence").catch(() => {});
      await plain.execute("drop table w");
      await plain.execute("create table w (id integer primary key, v text, b blob)");
      const direct: unknown[] = [];
      for (const s of statements) direct.push(shape(await plain.execute(s)));
      expect(threaded).toEqual(direct);
      expect((threaded[1] as { rows: unknown[][] }).rows).toEqual([
        [2, "b", null, "b"],
        [3, "c", null, "c"],
      ]);
      const batch = await t.db.$client.batch([
        { sql: "insert into w (v) values (?) returning id", args: ["d"] },
        "update w set v = 'e' where v = 'd'",
      ]);
      expect(batch.map((r) => [r.rows.map((row) => row[0]), r.rowsAffected])).toEqual([
        [[3], 0],
        [[], 1],
      ]);
    } finally {
      plain.close();
    }
  });

  it("run on the write thread: the event loop goes on while SQLite works", async () => {
    t = await createTestDb();
    const order: string[] = [];
    const write = t.db.$client
      .execute(
        `insert into rate_limits (key, window_start, count)
         with recursive n(i) as (select 1 union all select i + 1 from n where i < 300000)
         select 'k' || i, 0, 1 from n`,
      )
      .then((r) => {
        order.push("write");
        return r.rowsAffected;
      });
    setTimeout(() => order.push("timer"), 0);
    expect(await write).toBe(300_000);
    // On the event loop, the insert would have finished before the timer could run.
    expect(order).toEqual(["timer", "write"]);
  });

  it("go as one group with one COMMIT, the commit listeners told once with their readings", async () => {
    t = await createTestDb();
    const told: unknown[] = [];
    watchCommits(t.db, (value) => told.push(value), "select count(*) from rate_limits");
    await Promise.all(["a", "b", "c", "d"].map(insertKey));
    // Read under the group's write lock, just before its COMMIT: the count the commit left.
    expect(told).toEqual([4]);
    // A group on the event loop reads it the same way.
    await t.db.transaction(async (tx) => {
      await tx.run(sql`insert into rate_limits (key, window_start, count) values ('e', 0, 1)`);
    });
    expect(told).toEqual([4, 5]);
  });

  it("undo a member that fails, which fails with the client's error; the others commit", async () => {
    t = await createTestDb();
    const results = await Promise.allSettled([
      insertKey("a"),
      insertKey("a"),
      // A batch is all or nothing: its first insert goes with its second.
      t.db.$client.batch([
        "insert into rate_limits (key, window_start, count) values ('lost', 0, 1)",
        "insert into rate_limits (key, window_start, count) values ('a', 0, 1)",
      ]),
      insertKey("c"),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    const error = (results[1] as PromiseRejectedResult).reason as LibsqlError;
    expect(error).toBeInstanceOf(LibsqlError);
    expect([error.code, error.extendedCode]).toEqual([
      "SQLITE_CONSTRAINT",
      "SQLITE_CONSTRAINT_PRIMARYKEY",
    ]);
    expect(error.message).toMatch(/UNIQUE constraint failed: rate_limits\.key/);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint/);
    expect(await keys()).toEqual(["a", "c"]);
  });

  it("fail together when the group's COMMIT fails, and the next writer still gets in", async () => {
    t = await createTestDb();
    const results = await Promise.allSettled([
      insertKey("innocent"),
      // Foreign keys checked only at COMMIT, and a user whose account does not exist.
      t.db.$client.batch([
        "PRAGMA defer_foreign_keys = ON",
        `insert into users (id, account_id, email, name, password_hash, role, created_at)
         values ('orphan', 'no-such-account', 'orphan@example.com', 'Orphan', 'x', 'customer', 0)`,
      ]),
    ]);
    // Run again together on the event loop, whose COMMIT fails the same way (not a wait for a lock
    // the thread's failed transaction still held).
    expect(results.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
      expect.stringMatching(/FOREIGN KEY/),
      expect.stringMatching(/FOREIGN KEY/),
    ]);
    expect(await keys()).toEqual([]);
    expect(await readValue(t.db, "select count(*) from users", [])).toBe(0);
    await insertKey("next");
    expect(await keys()).toEqual(["next"]);
  });

  it("fail with SQLITE_BUSY when another process holds the lock all along, the event loop free", async () => {
    t = await createTestDb();
    const holder = createClient({ url: t.url });
    const held = await holder.transaction("write");
    try {
      let ticks = 0;
      const ticking = setInterval(() => ticks++, 100);
      const started = performance.now();
      const write = await insertKey("waits").then(
        () => "stored",
        (error: LibsqlError) => error.code,
      );
      clearInterval(ticking);
      const waited = performance.now() - started;
      expect(write).toBe("SQLITE_BUSY");
      // The busy timeout (5 s) once, on the thread, not again on the event loop; meanwhile the event
      // loop ran its timers.
      expect(waited).toBeGreaterThan(4_500);
      expect(waited).toBeLessThan(9_000);
      expect(ticks).toBeGreaterThan(30);
    } finally {
      await held.rollback();
      holder.close();
    }
    await insertKey("after");
    expect(await keys()).toEqual(["after"]);
  }, 20_000);

  it("are committed through the client when the thread ends, and start another for the next", async () => {
    t = await createTestDb();
    const sent = insertKey("a");
    const ended = endSqliteThreads();
    const meanwhile = insertKey("b");
    await ended;
    await Promise.all([sent, meanwhile]);
    await insertKey("c");
    expect(await keys()).toEqual(["a", "b", "c"]);
  });

  it("hand arguments the thread cannot be sent, or named ones, to the client", async () => {
    t = await createTestDb();
    await t.db.$client.execute({
      sql: "insert into rate_limits (key, window_start, count) values (?, ?, 1)",
      args: ["big", 9007199254740993n],
    });
    await t.db.$client.execute({
      sql: "insert into rate_limits (key, window_start, count) values (:key, 0, 1)",
      args: { key: "named" },
    });
    const rows = await t.db.$client.execute(
      "select key, cast(window_start as text) as w from rate_limits order by key",
    );
    expect(rows.rows.map((r) => [r.key, r.w])).toEqual([
      ["big", "9007199254740993"],
      ["named", "0"],
    ]);
  });
});
