// Reads outside a transaction, on an embedded database file, run on a thread of their own
// (db/sqlite-worker.mjs): libsql runs every statement synchronously, and on the event loop a page of rows
// held up every other request for as long as SQLite worked, on a cold processor several times what the
// same statement costs in a loop (docs/decisions/033). One thread per process serves every file's reads,
// each read client with a connection of its own there, its statements kept prepared.
// @libsql/client converts every integer through a BigInt and builds each row with two
// Object.defineProperty calls per column (docs/decisions/024); here rows are made by a class per column
// list. The result has the client's shape: rows read by index and by column name (the first of two
// columns with one name wins), names and types of the columns.
import type { InArgs, ResultSet, Row } from "@libsql/client";
import {
  sqlArgs,
  sqliteThread,
  ThreadConnection,
  type Lost,
  type ThreadItem,
} from "./sqlite-thread";
import { STATEMENTS_PER_CONNECTION } from "./statement-cache";

const VALUES = Symbol("values");

/** What the thread answers for one read (db/sqlite-worker.mjs). */
type Answer =
  | { id: number; value: unknown }
  | { id: number; rows: unknown[][]; columns: string[]; columnTypes: string[] }
  | { id: number; failed: true };

interface Read extends ThreadItem {
  sql: string;
  args: unknown[];
  one: boolean;
}

/** The process's read thread. */
const thread = sqliteThread<Read, Answer>("read");

export class ReadStatements {
  /**
   * This client's connection on the read thread. Closed with its client: later reads go to the client,
   * which refuses them (CLIENT_CLOSED).
   */
  readonly #on: ThreadConnection<Read, Answer>;

  constructor(path: string, options: { timeout: number }) {
    this.#on = new ThreadConnection(thread, path, options.timeout);
  }

  /**
   * The statement's result, or null when it is not one this path takes (named arguments, a value the
   * client would refuse or convert differently) or it failed: the caller then sends it through the
   * client, which also gives any error its usual form.
   */
  async execute(sql: string, args: InArgs | undefined): Promise<ResultSet | null> {
    const answer = await this.#read(sql, args, false);
    if (!answer || !("rows" in answer)) return null;
    return resultSet(answer);
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
    this.#on.close();
  }

  #read(sql: string, args: InArgs | undefined, one: boolean): Promise<Answer | Lost | null> {
    if (args !== undefined && !Array.isArray(args)) return Promise.resolve(null);
    const bound = args ? sqlArgs(args) : [];
    if (!bound) return Promise.resolve(null);
    return this.#on.send({ sql, args: bound, one });
  }
}

/** What a statement answered on a thread, in the client's result shape. */
export function resultSet(
  answer:
    | { rows: unknown[][]; columns: string[]; columnTypes: string[] }
    | { rowsAffected: number; lastInsertRowid: number | bigint },
): ResultSet {
  const [columns, columnTypes] = "rows" in answer ? [answer.columns, answer.columnTypes] : [[], []];
  const Row = rowClassOf(columns);
  const rows = "rows" in answer ? answer.rows.map((v) => new Row(v.map(fromSql))) : [];
  // As the client: statements that return rows say nothing of what they changed.
  const [rowsAffected, lastInsertRowid] =
    "rows" in answer ? [0, undefined] : [answer.rowsAffected, BigInt(answer.lastInsertRowid)];
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows: rows.map((r) => Array.from(r, toJson)),
      rowsAffected,
      lastInsertRowid: lastInsertRowid === undefined ? null : String(lastInsertRowid),
    }),
  };
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
