// The one way to open the database: an embedded libSQL file by default, a libSQL server or Turso when
// DATABASE_URL says so. See ARCHITECTURE.md for why the busy timeout is a client option, not a PRAGMA.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createClient,
  LibsqlError,
  type Client,
  type InArgs,
  type InStatement,
  type ResultSet,
  type Transaction,
  type TransactionMode,
} from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { ReadStatements } from "./read-statements";
import { endSqliteThreads } from "./sqlite-thread";
import { threadStatements, WriteStatements, type ThreadStatement } from "./write-statements";
import { cachePreparedStatements } from "./statement-cache";

/**
 * Drizzle without the schema: Tengsl writes its queries with the query builders and never uses the
 * relational `db.query` API, for which every transaction (each write) built a query builder per table.
 */
export type Db = LibSQLDatabase & { $client: Client };

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
  if (path) cachePreparedStatements();
  const opened = createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS, concurrency: POOL_SIZE });
  const onFile = path !== null && path !== ":memory:";
  const client = onFile
    ? oneWriterAtATime(
        opened,
        new ReadStatements(path, { timeout: BUSY_TIMEOUT_MS }),
        new WriteStatements(path, { timeout: BUSY_TIMEOUT_MS }),
      )
    : opened;
  // WAL is a property of the database file, so one connection setting it is enough. Foreign keys are on
  // by default in libsql; tests guard that.
  if (path) await client.execute("PRAGMA journal_mode = WAL");
  return drizzle(client);
}

/**
 * The pool's connections are separate SQLite connections, and SQLite's busy handler waits by sleeping the
 * thread. So when one connection holds the write lock across an `await` and another connection of the same
 * process asks for it, the wait blocks the event loop the holder needs to finish: both stall for the whole
 * busy timeout and the second fails with SQLITE_BUSY (measured: 49 of 50 concurrent transactions failed).
 * Writes in one process therefore queue here, without blocking (docs/decisions/018); the busy timeout is
 * left to waits on other processes, which keep running. Plain SELECTs and read transactions never take the
 * write lock and skip the queue, so a long read does not hold writes up (WAL).
 *
 * Writers that find others queued share one physical transaction (group commit, docs/decisions/027): each
 * runs in a SAVEPOINT of its own, one after the other, and the group commits once, so a burst of
 * submissions pays one fsync instead of one each (synchronous=FULL stays). Reads outside a transaction run
 * on the read thread (decision 033); writes with nothing to run between their statements (one statement
 * outside a transaction, a batch) commit in groups on the write thread, still one turn of this queue at
 * a time (decision 034).
 */
function oneWriterAtATime(client: Client, reads: ReadStatements, writes: WriteStatements): Client {
  const commitListeners: CommitListeners = new Map();
  const queue = new WriteQueue(client, writes, commitListeners, (atCommit) => {
    // What is committed stays committed: a listener's failure must not fail the writers.
    for (const [listener, reading] of commitListeners) {
      try {
        const value = reading === undefined ? undefined : atCommit?.values.get(reading);
        listener(value, atCommit?.readAt);
      } catch (error) {
        console.error("A commit listener failed:", error);
      }
    }
  });
  const dml = (stmt: InStatement | string) => {
    const text = typeof stmt === "string" ? stmt : stmt.sql;
    if (/^\s*select\b/i.test(text)) return "read";
    // A WITH reads unless it names a write (db/prepared.ts sends its pages so); one that might write
    // keeps a turn of its own, so a wrong guess costs a wait, never a write outside the queue.
    if (/^\s*with\b/i.test(text) && !/\b(insert|update|delete|replace)\b/i.test(text))
      return "read";
    // Only plain data changes join a group: a PRAGMA, VACUUM or DDL of its own may refuse to run inside
    // a transaction (journal_mode, VACUUM INTO) or wants to be alone, so it keeps a turn to itself.
    return /^\s*(insert|update|delete|replace)\b/i.test(text) ? "write" : "alone";
  };

  const gated: Partial<Client> & {
    [READ_VALUE]: ReadValue;
    [COMMITTED]: CommitListeners;
    [SETTLED]: () => Promise<void>;
  } = {
    [COMMITTED]: commitListeners,
    [SETTLED]: () => queue.settled(),
    [READ_VALUE]: async (sql, args) => {
      if (dml(sql) !== "read") return (await gated.execute!({ sql, args })).rows[0]?.[0];
      const kept = await reads.value(sql, args);
      // A read the thread could not answer goes to the client, as `execute`'s do.
      return kept ? kept.value : (await client.execute({ sql, args })).rows[0]?.[0];
    },
    execute: (stmt: InStatement | string, args?: never) => {
      const kind = dml(stmt);
      if (kind === "read") {
        // On the read thread (db/read-statements.ts), else the client.
        const [sql, sqlArgs] = typeof stmt === "string" ? [stmt, args] : [stmt.sql, stmt.args];
        return reads
          .execute(sql, sqlArgs)
          .then((result) => result ?? client.execute(stmt as string, args));
      }
      if (kind === "alone") return queue.alone(() => client.execute(stmt as string, args));
      const statement: InStatement =
        typeof stmt === "string" ? { sql: stmt, args: (args ?? []) as InArgs } : stmt;
      // One statement needs no savepoint: SQLite undoes a failed statement by itself, as in autocommit.
      return queue
        .statements([statement], (tx) => tx.execute(statement).then((result) => [result]), {
          savepoint: false,
        })
        .then(([result]) => result!);
    },
    close: () => {
      reads.close();
      writes.close();
      client.close();
    },
    batch: (stmts, mode) => {
      if (mode === "read") return client.batch(stmts, mode);
      const statements = stmts.map((s) => (Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s));
      return queue.statements(statements, (tx) => tx.batch(statements));
    },
    migrate: (stmts) => queue.alone(() => client.migrate(stmts)),
    executeMultiple: (sql) => queue.alone(() => client.executeMultiple(sql)),
    transaction: (mode?: TransactionMode) =>
      mode === "read" ? client.transaction(mode) : queue.transaction(),
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

/** Where a file database's client keeps `readValue`'s short path (a wrapper of the client may watch it). */
export const READ_VALUE = Symbol("read value");
export type ReadValue = (sql: string, args: InArgs) => Promise<unknown>;

/**
 * The first value of the first row a read answers (undefined for none), outside any transaction: for a
 * statement that answers one row, on a file the read thread's single native call
 * (db/read-statements.ts); elsewhere, the client's execute.
 */
export async function readValue(db: Db, sql: string, args: InArgs): Promise<unknown> {
  const client = db.$client as Client & { [READ_VALUE]?: ReadValue };
  const kept = client[READ_VALUE];
  if (kept) return kept(sql, args);
  return (await client.execute({ sql, args })).rows[0]?.[0];
}

const COMMITTED = Symbol("commit listeners");
const SETTLED = Symbol("writes settled");

/**
 * Closes a database at shutdown, once the doors have closed. A request whose client went away still runs
 * to its end, so the writes queued or running commit first: closed under a group of writers, the
 * connection would fail their transaction half way. Then the read thread ends, between two statements.
 */
export async function closeDb(db: Db): Promise<void> {
  const client = db.$client as Client & { [SETTLED]?: () => Promise<void> };
  // A request that was waiting for a read may queue its write only now.
  await new Promise((resolve) => setImmediate(resolve));
  await client[SETTLED]?.();
  client.close();
  await endSqliteThreads();
}

/** Commit listeners, each with the reading it asked for (see `watchCommits`). */
type CommitListeners = Map<(value?: unknown, readAt?: number) => void, string | undefined>;

/** The readings a group took before its COMMIT, and when (`performance.now()`, just before). */
interface AtCommit {
  values: Map<string, unknown>;
  readAt: number;
}

/**
 * Calls `listener` after each commit this process makes through `db` (a group's, or a statement that runs
 * alone), before any writer of it is answered. With `reading`, a statement of one value that each group
 * runs last before its COMMIT, under the write lock, so its value is the database's at the commit: the
 * listener is given it (undefined after a statement that ran alone, which may have changed the schema, or
 * when the reading failed). Returns false, and calls nothing, where commits go straight to a libSQL
 * server: there only a file database's client sees every write.
 */
export function watchCommits(
  db: Db,
  listener: (value?: unknown, readAt?: number) => void,
  reading?: string,
): boolean {
  const listeners = (db.$client as Client & { [COMMITTED]?: CommitListeners })[COMMITTED];
  listeners?.set(listener, reading);
  return listeners !== undefined;
}

/** The readings the commit listeners asked for, each once. */
const readingsOf = (listeners: CommitListeners) =>
  [...new Set(listeners.values())].filter((r) => r !== undefined);

/** At most this many writers share one physical transaction, so the first of them waits a bounded time. */
export const GROUP_LIMIT = 64;
const SAVEPOINT = "tengsl_writer";

/**
 * A writer waiting for its turn: one that shares a group on the event loop or on the write thread, or
 * one that needs the database to itself.
 */
type Waiter = MemberWaiter | ThreadWaiter | { kind: "alone"; run: () => Promise<void> };

type MemberWaiter = {
  kind: "member";
  start: (tx: Transaction) => Promise<Ended>;
  fail: (error: Error) => void;
};

type ThreadWaiter = {
  kind: "thread";
  statements: ThreadStatement[];
  /** Answers the writer with what its statements returned, once their group has committed. */
  answer: (results: ResultSet[]) => void;
  fail: (error: Error) => void;
  /** The same writer as a member of a group on the event loop. */
  onClient: () => MemberWaiter;
};

/** A member of a group on the event loop: `run` in a savepoint of its own (unless it is one statement). */
function member<T>(
  run: (tx: Transaction) => Promise<T>,
  savepoint: boolean,
  resolve: (value: T) => void,
  reject: (error: Error) => void,
): MemberWaiter {
  return {
    kind: "member",
    fail: reject,
    start: async (tx) => {
      if (savepoint) await tx.execute(`SAVEPOINT ${SAVEPOINT}`);
      let value: T;
      try {
        value = await run(tx);
      } catch (error) {
        if (savepoint) await undoMember(tx);
        reject(asError(error));
        return { committed: false };
      }
      if (savepoint) await tx.execute(`RELEASE ${SAVEPOINT}`);
      return {
        committed: true,
        durable: (error) => (error === undefined ? resolve(value) : reject(error)),
      };
    },
  };
}

/**
 * How a member left the group's transaction: committed ones are answered once the group commits; one
 * whose savepoint could not be released or undone leaves the group's state in doubt (`broken`).
 */
type Ended =
  { committed: false; broken?: Error } | { committed: true; durable: (error?: Error) => void };

/** The process's write turn, handed to one group of writers (or one lone statement) at a time. */
class WriteQueue {
  private readonly waiting: Waiter[] = [];
  private busy = false;
  private readonly settledWaiters: (() => void)[] = [];

  constructor(
    private readonly client: Client,
    private readonly writes: WriteStatements,
    private readonly listeners: CommitListeners,
    /** Told after every commit, before the writers are answered, with the listeners' readings. */
    private readonly afterCommit: (atCommit?: AtCommit) => void,
  ) {}

  /** A statement that must not run inside a transaction, or is best alone (DDL, PRAGMA, VACUUM). */
  alone<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Whether it succeeded or not, a lone statement (DDL, a PRAGMA, a script) may have changed anything.
      this.enqueue({
        kind: "alone",
        run: () =>
          run()
            .finally(() => this.afterCommit())
            .then(resolve, reject),
      });
    });
  }

  /** Statements that commit or fail together (one execute or batch) as one member of a group. */
  write<T>(run: (tx: Transaction) => Promise<T>, { savepoint = true } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.enqueue(member(run, savepoint, resolve, reject)),
    );
  }

  /**
   * Statements known in full before they run, with no JavaScript between them: a member of a group on
   * the write thread (db/write-statements.ts). `onClient` runs them on the event loop instead, in a
   * group there, for what the thread does not take or did not commit.
   */
  statements(
    stmts: InStatement[],
    onClient: (tx: Transaction) => Promise<ResultSet[]>,
    { savepoint = true } = {},
  ): Promise<ResultSet[]> {
    const sendable = threadStatements(stmts);
    if (!sendable) return this.write(onClient, { savepoint });
    return new Promise<ResultSet[]>((resolve, reject) =>
      this.enqueue({
        kind: "thread",
        statements: sendable,
        answer: resolve,
        fail: reject,
        onClient: () => member(onClient, savepoint, resolve, reject),
      }),
    );
  }

  /** An interactive write transaction: a member of a group, ended by its commit, rollback or close. */
  transaction(): Promise<Transaction> {
    return new Promise<Transaction>((resolve, reject) => {
      this.enqueue({
        kind: "member",
        fail: (error) => reject(error),
        start: async (tx) => {
          await tx.execute(`SAVEPOINT ${SAVEPOINT}`);
          return new Promise<Ended>((ended) => resolve(new MemberTransaction(tx, ended)));
        },
      });
    });
  }

  private enqueue(waiter: Waiter) {
    this.waiting.push(waiter);
    if (!this.busy) void this.next();
  }

  /** Resolves once no writer runs or waits. */
  settled(): Promise<void> {
    if (!this.busy && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private async next(): Promise<void> {
    const first = this.waiting.shift();
    if (!first) {
      for (const resolve of this.settledWaiters.splice(0)) resolve();
      return;
    }
    this.busy = true;
    try {
      if (first.kind === "alone") await first.run();
      else if (first.kind === "thread") await this.threadGroup(first);
      else await this.group(first);
    } finally {
      this.busy = false;
      void this.next();
    }
  }

  /**
   * Sends `first` and the members for the write thread queued behind it as one group (waiting one turn
   * of the event loop for more when none are, as `joiner` does), and answers each that committed, after
   * the commit listeners. One group at a time, as on the event loop: while it commits, the next
   * requests queue and go together, sharing the next COMMIT's fsync. What the thread did not commit goes
   * to the front of the queue, to run on the event loop in a group there: a member's failure then comes
   * with the client's error, and a thread that cannot run costs speed, never a write. A thread that died
   * with the group fails its writers: whether the group committed is not known.
   */
  private async threadGroup(first: ThreadWaiter) {
    const members = [first];
    if (this.waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    while (members.length < GROUP_LIMIT && this.waiting[0]?.kind === "thread")
      members.push(this.waiting.shift() as ThreadWaiter);
    const readings = readingsOf(this.listeners);
    const readAt = performance.now();
    const answer = await this.writes.group(
      members.map((m) => m.statements),
      readings,
    );
    if (answer === "lost") {
      // It may have committed: the listeners read afresh. Run again, a write might be stored twice.
      this.afterCommit();
      for (const m of members) m.fail(lostError());
      return;
    }
    if (answer && "busy" in answer) {
      // As the event loop's group would have failed, after waiting as long.
      for (const m of members) m.fail(new LibsqlError(answer.busy, "SQLITE_BUSY"));
      return;
    }
    const answers = answer?.members;
    if (answers?.some((results) => results !== null))
      this.afterCommit({
        values: new Map(readings.map((r, i) => [r, answer!.readings[i]])),
        readAt,
      });
    const again: Waiter[] = [];
    members.forEach((m, i) => {
      const results = answers?.[i];
      if (results) m.answer(results);
      else again.push(m.onClient());
    });
    this.waiting.unshift(...again);
  }

  /**
   * The member after this one, if it is waiting and the group has room. Node runs each arriving
   * request's callbacks (and, libsql being synchronous, its whole transaction) before it reads the next
   * socket, so when no one is queued the group yields to the event loop once (setImmediate, no timer):
   * requests that have already arrived then reach the queue and join before the one COMMIT.
   */
  private async joiner(size: number): Promise<MemberWaiter | undefined> {
    if (size >= GROUP_LIMIT) return undefined;
    if (this.waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const head = this.waiting[0];
    if (head?.kind !== "member") return undefined;
    this.waiting.shift();
    return head;
  }

  /**
   * Runs `first` and whoever queues behind it in one BEGIN IMMEDIATE, each in its own savepoint, then
   * commits once and only then answers each member that committed. A failed COMMIT fails them all.
   */
  private async group(first: MemberWaiter) {
    let tx: Transaction;
    try {
      tx = await this.client.transaction("write");
    } catch (error) {
      first.fail(asError(error));
      return;
    }
    const committed: ((error?: Error) => void)[] = [];
    let readings: AtCommit | undefined;
    try {
      let joined: MemberWaiter | undefined = first;
      for (let size = 1; joined; joined = await this.joiner(size++)) {
        let ended: Ended;
        try {
          ended = await joined.start(tx);
        } catch (error) {
          // The member's savepoint could not be set, released or rolled back (an I/O error, a full
          // disk): what the group holds is in doubt, so nothing of it is committed.
          joined.fail(asError(error));
          throw error;
        }
        if (ended.committed) committed.push(ended.durable);
        else if (ended.broken) throw ended.broken;
        // SQLite itself rolled the whole transaction back (some errors do): earlier members are lost too.
        if (tx.closed) throw new LibsqlError("The group's transaction was rolled back", "ABORTED");
      }
      if (committed.length === 0) await tx.rollback();
      else {
        readings = await readAtCommit(tx, readingsOf(this.listeners));
        await tx.commit();
      }
    } catch (error) {
      try {
        tx.close();
      } catch {
        // The connection is dropped by the pool; the members must still be answered.
      }
      for (const durable of committed) durable(asError(error));
      return;
    }
    if (committed.length > 0) this.afterCommit(readings);
    for (const durable of committed) durable();
  }
}

/** Each reading's first value in the group's transaction, undefined for one that failed. */
async function readAtCommit(tx: Transaction, readings: string[]): Promise<AtCommit> {
  const readAt = performance.now();
  const values = new Map<string, unknown>();
  for (const reading of readings)
    values.set(reading, (await tx.execute(reading).catch(() => undefined))?.rows[0]?.[0]);
  return { values, readAt };
}

const lostError = () =>
  new LibsqlError(
    "The write thread stopped during the write: whether it was committed is not known",
    "SQLITE_IOERR",
  );

const closedError = () => new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** Undoes a member's writes and leaves the group's transaction as it was before the member. */
async function undoMember(tx: Transaction) {
  if (tx.closed) return;
  await tx.execute(`ROLLBACK TO ${SAVEPOINT}`);
  await tx.execute(`RELEASE ${SAVEPOINT}`);
}

/**
 * What a member of a group sees as its transaction: statements go to the group's connection; commit
 * releases the member's savepoint and resolves once the group has committed (durable), rollback and
 * close undo the member's writes alone.
 */
class MemberTransaction implements Transaction {
  private over = false;
  private waitForGroup: Promise<void> | null = null;

  constructor(
    private readonly tx: Transaction,
    private readonly ended: (how: Ended) => void,
  ) {}

  get closed() {
    return this.over || this.tx.closed;
  }

  private open(): Transaction {
    if (this.closed) throw closedError();
    return this.tx;
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    return this.open().execute(stmt);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.open().batch(stmts);
  }

  async executeMultiple(sql: string): Promise<void> {
    return this.open().executeMultiple(sql);
  }

  async commit(): Promise<void> {
    if (this.waitForGroup) return this.waitForGroup;
    if (this.over) throw closedError();
    this.over = true;
    // SQLite rolled the group's transaction back under this member: nothing to commit, the group fails.
    if (this.tx.closed) {
      this.ended({ committed: false });
      throw closedError();
    }
    try {
      await this.tx.execute(`RELEASE ${SAVEPOINT}`);
    } catch (error) {
      this.ended({ committed: false, broken: asError(error) });
      throw error;
    }
    this.waitForGroup = new Promise<void>((resolve, reject) =>
      this.ended({
        committed: true,
        durable: (error) => (error === undefined ? resolve() : reject(error)),
      }),
    );
    return this.waitForGroup;
  }

  async rollback(): Promise<void> {
    if (this.over) return;
    this.over = true;
    try {
      await undoMember(this.tx);
    } catch (error) {
      this.ended({ committed: false, broken: asError(error) });
      throw error;
    }
    this.ended({ committed: false });
  }

  close(): void {
    if (this.over) return;
    void this.rollback().catch(() => {});
  }
}

/** A write transaction (BEGIN IMMEDIATE: the only kind this project uses, see ARCHITECTURE.md). */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Functions that may run inside a caller's transaction take either. */
export type DbOrTx = Db | Tx;
