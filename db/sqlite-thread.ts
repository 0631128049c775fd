// The event loop's side of the threads that run SQLite statements (db/sqlite-worker.mjs): one for reads
// outside a transaction (db/read-statements.ts, docs/decisions/033), one for groups of writes
// (db/write-statements.ts, docs/decisions/034). Each is started at its first use and again after it ended.
import { Worker } from "node:worker_threads";
import type { InValue } from "@libsql/client";
import { libsqlPath, STATEMENTS_PER_CONNECTION } from "./statement-cache";

/** What every item sent to a thread names: its connection there (opened on first use). */
export interface ThreadItem {
  id: number;
  connection: number;
  path: string;
  timeout: number;
}

/**
 * What an item sent to a thread that then died is answered: it may or may not have done its work (a
 * read asks the client again; a write cannot know whether it was committed).
 */
export interface Lost {
  id: number;
  lost: true;
}

/**
 * Items asked for in one turn of the event loop (every request whose bytes arrived together) travel as
 * one message, and their answers as one: waking the other thread is the dearest part of a message on
 * these virtual machines (31 µs of the event loop per read when each read went alone). The thread keeps
 * the process alive only while an item is waiting. An item that never reached the thread (it could
 * never start, or it was told to end) is answered null: the caller then asks the client, which answers
 * as before. One sent to a thread that was ready and died before answering is answered `Lost`.
 */
export class SqliteThread<Item extends ThreadItem, Answer extends { id: number }> {
  #worker: Worker | null = null;
  /** The thread failed before it was ready (libsql loaded): the client answers everything from now on. */
  #failed = false;
  /** Told to end: it keeps the process alive until it has. */
  #ending = false;
  readonly #waiting = new Map<number, (answer: Answer | Lost | null) => void>();
  #outbox: Item[] = [];
  #nextId = 0;

  constructor(private readonly name: string) {}

  /**
   * Sends `item` with the others of this turn, or at once with `now` (for a caller that has gathered
   * its items already).
   */
  send(item: Omit<Item, "id">, { now = false } = {}): Promise<Answer | Lost | null> {
    // A thread told to end takes nothing more: what it had is answered before it exits.
    if (this.#failed || this.#ending) return Promise.resolve(null);
    const worker = this.#started();
    const id = this.#nextId++;
    if (this.#waiting.size === 0) worker.ref();
    const answered = new Promise<Answer | Lost | null>((resolve) => this.#waiting.set(id, resolve));
    this.#outbox.push({ ...item, id } as Item);
    if (now) this.#flush();
    else if (this.#outbox.length === 1) setImmediate(() => this.#flush());
    return answered;
  }

  close(connection: number): void {
    // After the items already sent for that connection, which would otherwise open it again.
    this.#flush();
    this.#worker?.postMessage({ close: connection });
  }

  /** Ends the thread once it has answered what was asked of it (never `terminate`: see sqlite-worker.mjs). */
  async end(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    // An idle thread is unreferenced: without this, a process awaiting its end would just exit.
    this.#ending = true;
    worker.ref();
    this.#flush();
    worker.postMessage({ end: true });
    await exited;
  }

  #flush(): void {
    const items = this.#outbox;
    if (items.length === 0) return;
    this.#outbox = [];
    try {
      this.#worker?.postMessage(items);
    } catch {
      // A value the thread cannot be sent (sqlArgs should have kept it here): the client answers.
      for (const item of items) this.#answer(item.id, null);
    }
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./sqlite-worker.mjs", import.meta.url), {
      workerData: { libsql: libsqlPath(), statementsPerConnection: STATEMENTS_PER_CONNECTION },
      // The process's own flags are not the thread's (a loader, an --input-type would stop it).
      execArgv: [],
    });
    worker.unref();
    /** libsql loaded: an item sent from then on may have run (the thread says "ready" first). */
    let ready = false;
    worker.on("message", (answers: Answer[] | "ready") => {
      if (answers === "ready") ready = true;
      else for (const answer of answers) this.#answer(answer.id, answer);
    });
    // A thread that failed takes nothing more. One that failed before it was ready (libsql would not
    // load in a thread) is not started again.
    worker.on("error", (error) => {
      console.error(`The ${this.name} thread failed:`, error);
      if (!ready) this.#failed = true;
      if (this.#worker === worker) this.#ending = true;
    });
    // Only once it has exited are its connections closed (and the write lock free): the items it was
    // sent are then answered as lost, those it never had (or could not have run) with null, and the
    // next item starts another thread.
    worker.on("exit", () => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#ending = false;
      const unsent = new Set(this.#outbox.map((item) => item.id));
      this.#outbox = [];
      for (const id of [...this.#waiting.keys()])
        this.#answer(id, ready && !unsent.has(id) ? { id, lost: true } : null);
    });
    return (this.#worker = worker);
  }

  #answer(id: number, answer: Answer | Lost | null): void {
    const resolve = this.#waiting.get(id);
    if (!resolve) return;
    this.#waiting.delete(id);
    if (this.#waiting.size === 0 && !this.#ending) this.#worker?.unref();
    resolve(answer);
  }
}

const threads: SqliteThread<ThreadItem, { id: number }>[] = [];

/** A thread of the process, named in its errors; its worker starts at the first item sent. */
export function sqliteThread<Item extends ThreadItem, Answer extends { id: number }>(
  name: string,
): SqliteThread<Item, Answer> {
  const made = new SqliteThread<Item, Answer>(name);
  threads.push(made as unknown as SqliteThread<ThreadItem, { id: number }>);
  return made;
}

/**
 * Ends the process's threads (at shutdown), once they have answered what was already sent to them;
 * statements asked for meanwhile are answered by the client, and a later one starts another thread.
 */
export async function endSqliteThreads(): Promise<void> {
  await Promise.all(threads.map((thread) => thread.end()));
}

let nextConnection = 0;

/**
 * A client's connection on a thread, opened there by the first item sent for it and closed with the
 * client; once closed, what is sent for it is answered null (the client then refuses it, as its own).
 */
export class ThreadConnection<Item extends ThreadItem, Answer extends { id: number }> {
  readonly #id = nextConnection++;
  #closed = false;

  constructor(
    private readonly thread: SqliteThread<Item, Answer>,
    private readonly path: string,
    private readonly timeout: number,
  ) {}

  /** `SqliteThread.send` on this connection. */
  send(
    item: Omit<Item, keyof ThreadItem>,
    options?: { now?: boolean },
  ): Promise<Answer | Lost | null> {
    if (this.#closed) return Promise.resolve(null);
    const { path, timeout } = this;
    return this.thread.send(
      { ...item, connection: this.#id, path, timeout } as Omit<Item, "id">,
      options,
    );
  }

  close(): void {
    this.#closed = true;
    this.thread.close(this.#id);
  }
}

/**
 * Arguments as the client would bind them, or null for one it would refuse (it then says why) or that
 * cannot be sent to the thread.
 */
export function sqlArgs(args: InValue[]): unknown[] | null {
  const bound: unknown[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return null;
      bound[i] = value;
    } else if (typeof value === "boolean") bound[i] = value ? 1 : 0;
    else if (value instanceof Date) bound[i] = value.valueOf();
    else if (
      value === null ||
      typeof value === "string" ||
      value instanceof ArrayBuffer ||
      value instanceof Uint8Array
    )
      bound[i] = value;
    else return null;
  }
  return bound;
}
