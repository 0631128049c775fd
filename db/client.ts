// The one way to open the database: an embedded libSQL file by default, a libSQL server or Turso when
// DATABASE_URL says so. See ARCHITECTURE.md for why the busy timeout is a client option, not a PRAGMA.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client, type InStatement, type Transaction } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { ReadStatements } from "./read-statements";
import * as schema from "./schema";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface DbOptions {
  url: string;
  authToken?: string | undefined;
}

/**
 * Connections per process. libsql runs every statement synchronously on the event loop, so more
 * connections add no parallelism: they only let a transaction (which holds one across awaits) and the
 * reads beside it proceed. Each keeps its own page and statement caches, so the default of 20 cost memory.
 */
const POOL_SIZE = 4;

/** How long a writer waits for another writer's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

export function filePathOf(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  return url.startsWith("file://") ? fileURLToPath(url) : url.slice("file:".length);
}

export async function openDb({ url, authToken }: DbOptions): Promise<Db> {
  const path = filePathOf(url);
  // libsql does not create a missing folder for a file database.
  if (path && path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const opened = createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS, concurrency: POOL_SIZE });
  const onFile = path !== null && path !== ":memory:";
  const client = onFile
    ? oneWriterAtATime(opened, new ReadStatements(path, { timeout: BUSY_TIMEOUT_MS }))
    : opened;
  // WAL is a property of the database file, so one connection setting it is enough. Foreign keys are on
  // by default in libsql; tests guard that.
  if (path) await client.execute("PRAGMA journal_mode = WAL");
  return drizzle(client, { schema });
}

/**
 * The pool's connections are separate SQLite connections, and SQLite's busy handler waits by sleeping the
 * thread. So when one connection holds the write lock across an `await` and another connection of the same
 * process asks for it, the wait blocks the event loop the holder needs to finish: both stall for the whole
 * busy timeout and the second fails with SQLITE_BUSY (measured: 49 of 50 concurrent transactions failed).
 * Writes in one process therefore queue here, without blocking; the busy timeout is left to waits on other
 * processes, which keep running. Plain SELECTs and read transactions never take the write lock and skip
 * the queue, so a long read does not hold writes up (WAL).
 */
function oneWriterAtATime(client: Client, reads: ReadStatements): Client {
  let tail: Promise<void> = Promise.resolve();
  const turn = async (): Promise<() => void> => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const before = tail;
    tail = before.then(() => done);
    await before;
    return release;
  };
  const exclusive = async <T>(run: () => Promise<T>): Promise<T> => {
    const release = await turn();
    try {
      return await run();
    } finally {
      release();
    }
  };
  const isRead = (stmt: InStatement | string) =>
    /^\s*select\b/i.test(typeof stmt === "string" ? stmt : stmt.sql);

  const gated: Partial<Client> = {
    execute: (stmt: InStatement | string, args?: never) => {
      if (!isRead(stmt)) return exclusive(() => client.execute(stmt as string, args));
      const [sql, sqlArgs] = typeof stmt === "string" ? [stmt, args] : [stmt.sql, stmt.args];
      const result = reads.execute(sql, sqlArgs);
      return result ? Promise.resolve(result) : client.execute(stmt as string, args);
    },
    close: () => {
      reads.close();
      client.close();
    },
    batch: (stmts, mode) => exclusive(() => client.batch(stmts, mode)),
    migrate: (stmts) => exclusive(() => client.migrate(stmts)),
    executeMultiple: (sql) => exclusive(() => client.executeMultiple(sql)),
    transaction: async (mode?: "write" | "read" | "deferred") => {
      if (mode === "read") return client.transaction(mode);
      const release = await turn();
      let tx: Transaction;
      try {
        tx = await client.transaction(mode);
      } catch (error) {
        release();
        throw error;
      }
      return settledReleases(tx, release);
    },
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop in gated) return gated[prop as keyof Client];
      const value: unknown = Reflect.get(target, prop, target);
      // The client keeps private fields, so its own methods must run with it as `this`.
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** The transaction, with the process's write turn handed on once it commits, rolls back or closes. */
function settledReleases(tx: Transaction, release: () => void): Transaction {
  const settle =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) return result.finally(release) as R;
        release();
        return result;
      } catch (error) {
        release();
        throw error;
      }
    };
  const ends = {
    commit: settle(() => tx.commit()),
    rollback: settle(() => tx.rollback()),
    close: settle(() => tx.close()),
  };
  return new Proxy(tx, {
    get(target, prop) {
      if (prop in ends) return ends[prop as keyof typeof ends];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** A write transaction (BEGIN IMMEDIATE: the only kind this project uses, see ARCHITECTURE.md). */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Functions that may run inside a caller's transaction take either. */
export type DbOrTx = Db | Tx;
