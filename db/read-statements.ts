// Reads outside a transaction, on an embedded database file, run on a thread of their own
// (db/read-thread.mjs): libsql runs every statement synchronously, and on the event loop a page of rows
// held up every other request for as long as SQLite worked, on a cold processor several times what the
// same statement costs in a loop (docs/decisions/033). One thread per process serves every file's reads,
// each read client with a connection of its own there, its statements kept prepared.
// @libsql/client converts every integer through a BigInt and builds each row with two
// Object.defineProperty calls per column (docs/decisions/024); here rows are made by a class per column
// list. The result has the client's shape: rows read by index and by column name (the first of two
// columns with one name wins), names and types of the columns.
import { Worker } from "node:worker_threads";
import type { InArgs, InValue, ResultSet, Row } from "@libsql/client";
import { libsqlPath, STATEMENTS_PER_CONNECTION } from "./statement-cache";

const VALUES = Symbol("values");

/** What the thread answers for one read (db/read-thread.mjs). */
type Answer =
  | { id: number; value: unknown }
  | { id: number; rows: unknown[][]; columns: string[]; columnTypes: string[] }
  | { id: number; failed: true };

interface Read {
  id: number;
  connection: number;
  path: string;
  timeout: number;
  sql: string;
  args: unknown[];
  one: boolean;
}

/**
 * The process's read thread, started at the first read and again after it ended. Reads asked for in one
 * turn of the event loop (every request whose bytes arrived together) travel as one message, and their
 * answers as one: waking the other thread is the dearest part of a message on these virtual machines
 * (31 µs of the event loop per read when each read went alone). The thread keeps the process alive only
 * while a read is waiting.
 */
class ReadThread {
  #worker: Worker | null = null;
  /** The thread failed before it answered anything: the client answers every read from then on. */
  #failed = false;
  /** Told to end: it keeps the process alive until it has. */
  #ending = false;
  readonly #waiting = new Map<number, (answer: Answer | null) => void>();
  #outbox: Read[] = [];
  #nextId = 0;

  read(read: Omit<Read, "id">): Promise<Answer | null> {
    if (this.#failed) return Promise.resolve(null);
    const worker = this.#started();
    const id = this.#nextId++;
    if (this.#waiting.size === 0) worker.ref();
    const answered = new Promise<Answer | null>((resolve) => this.#waiting.set(id, resolve));
    if (this.#outbox.push({ ...read, id }) === 1) setImmediate(() => this.#flush());
    return answered;
  }

  close(connection: number): void {
    // After the reads already asked of that connection, which would otherwise open it again.
    this.#flush();
    this.#worker?.postMessage({ close: connection });
  }

  /** Ends the thread once it has answered what was asked of it (never `terminate`: see read-thread.mjs). */
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
    const reads = this.#outbox;
    if (reads.length === 0) return;
    this.#outbox = [];
    try {
      this.#worker?.postMessage(reads);
    } catch {
      // A value the thread cannot be sent (sqlArgs should have kept it here): the client answers.
      for (const read of reads) this.#answer(read.id, null);
    }
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./read-thread.mjs", import.meta.url), {
      workerData: { libsql: libsqlPath(), statementsPerConnection: STATEMENTS_PER_CONNECTION },
      // The process's own flags are not the thread's (a loader, an --input-type would stop it).
      execArgv: [],
    });
    worker.unref();
    let answered = false;
    worker.on("message", (answers: Answer[]) => {
      answered = true;
      for (const answer of answers) this.#answer(answer.id, answer);
    });
    // A thread that died answers every waiting read with null: the client runs them instead, and the
    // next read starts another thread. One that failed before it ever answered (libsql would not load
    // in a thread) is not started again.
    const ended = (error?: unknown) => {
      if (error) {
        console.error("The read thread failed:", error);
        if (!answered) this.#failed = true;
      }
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#ending = false;
      this.#outbox = [];
      for (const id of [...this.#waiting.keys()]) this.#answer(id, null);
    };
    worker.on("error", ended);
    worker.on("exit", () => ended());
    return (this.#worker = worker);
  }

  #answer(id: number, answer: Answer | null): void {
    const resolve = this.#waiting.get(id);
    if (!resolve) return;
    this.#waiting.delete(id);
    if (this.#waiting.size === 0 && !this.#ending) this.#worker?.unref();
    resolve(answer);
  }
}

let thread: ReadThread | null = null;
let nextConnection = 0;

/**
 * Ends the process's read thread (at shutdown), once it has answered the reads already sent to it; reads
 * asked for meanwhile are answered by the client, and a later read starts another thread.
 */
export function endReadThread(): Promise<void> {
  return thread?.end() ?? Promise.resolve();
}

export class ReadStatements {
  /** This client's connection on the read thread. */
  readonly #connection = nextConnection++;
  /** Closed with its client: later reads go to the client, which refuses them (CLIENT_CLOSED). */
  #closed = false;

  constructor(
    private readonly path: string,
    private readonly options: { timeout: number },
  ) {}

  /**
   * The statement's result, or null when it is not one this path takes (named arguments, a value the
   * client would refuse or convert differently) or it failed: the caller then sends it through the
   * client, which also gives any error its usual form.
   */
  async execute(sql: string, args: InArgs | undefined): Promise<ResultSet | null> {
    const answer = await this.#read(sql, args, false);
    if (!answer || !("rows" in answer)) return null;
    const { columns, columnTypes } = answer;
    const Row = rowClassOf(columns);
    const rows = answer.rows.map((v) => new Row(v.map(fromSql)));
    return {
      columns,
      columnTypes,
      rows,
      rowsAffected: 0,
      lastInsertRowid: undefined,
      toJSON: () => ({
        columns,
        columnTypes,
        rows: rows.map((r) => Array.from(r, toJson)),
        rowsAffected: 0,
        lastInsertRowid: null,
      }),
    };
  }

  /**
   * The first value of the statement's first row (undefined for no row), or null as for `execute`. For
   * a statement that answers one row (db/prepared.ts's pages in one JSON text): libsql's `get` is one
   * native call where `all` walks its row iterator, a quarter of such a read.
   */
  async value(sql: string, args: InArgs | undefined): Promise<{ value: unknown } | null> {
    const answer = await this.#read(sql, args, true);
    return answer && "value" in answer ? { value: fromSql(answer.value) } : null;
  }

  close(): void {
    this.#closed = true;
    thread?.close(this.#connection);
  }

  #read(sql: string, args: InArgs | undefined, one: boolean): Promise<Answer | null> {
    if (this.#closed || (args !== undefined && !Array.isArray(args))) return Promise.resolve(null);
    const bound = args ? sqlArgs(args) : [];
    if (!bound) return Promise.resolve(null);
    return (thread ??= new ReadThread()).read({
      connection: this.#connection,
      path: this.path,
      timeout: this.options.timeout,
      sql,
      args: bound,
      one,
    });
  }
}

/**
 * Arguments as the client would bind them, or null for one it would refuse (it then says why) or that
 * cannot be sent to the thread.
 */
function sqlArgs(args: InValue[]): unknown[] | null {
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

/**
 * A row's values in column order. Index access on these rows goes through the prototype, which V8 does
 * slowly; a mapper reading every column of every row (db/prepared.ts) takes the array itself.
 */
export const rowValues = (row: Row): ArrayLike<unknown> =>
  (row as unknown as { [VALUES]?: unknown[] })[VALUES] ?? row;

/** Blobs come back as ArrayBuffers, as the client gives them (from the thread, as byte arrays). */
const fromSql = (value: unknown): unknown =>
  value instanceof Uint8Array
    ? (value.buffer as ArrayBuffer).slice(value.byteOffset, value.byteOffset + value.byteLength)
    : value;

/** A value in a result's JSON form, as the client writes it: blobs in base64. */
const toJson = (value: unknown): unknown =>
  value instanceof ArrayBuffer ? Buffer.from(value).toString("base64") : value;

/** Row classes by column list, as many as statements are kept. */
const rowClasses = new Map<string, new (values: unknown[]) => Row>();

function rowClassOf(columns: string[]): new (values: unknown[]) => Row {
  const key = columns.join("\u0000");
  let Row = rowClasses.get(key);
  if (!Row) {
    if (rowClasses.size >= STATEMENTS_PER_CONNECTION)
      rowClasses.delete(rowClasses.keys().next().value!);
    rowClasses.set(key, (Row = rowClass(columns)));
  }
  return Row;
}

/**
 * Rows of one column list: enumerable properties by column name (as the client's rows, so spreading or
 * comparing a row sees the names), values by index through the prototype, and a length.
 */
function rowClass(columns: string[]): new (values: unknown[]) => Row {
  const named = columns
    .map((name, index) => ({ name, index }))
    .filter(
      ({ name, index }) =>
        columns.indexOf(name) === index && name !== "length" && !/^\d+$/.test(name),
    );
  class ResultRow {
    [key: string]: unknown;
    constructor(values: unknown[]) {
      Object.defineProperty(this, VALUES, { value: values });
      for (const { name, index } of named) this[name] = values[index];
    }
  }
  Object.defineProperty(ResultRow.prototype, "length", { value: columns.length });
  for (let i = 0; i < columns.length; i++) {
    Object.defineProperty(ResultRow.prototype, i, {
      get(this: { [VALUES]: unknown[] }) {
        return this[VALUES][i];
      },
    });
  }
  return ResultRow as unknown as new (values: unknown[]) => Row;
}
