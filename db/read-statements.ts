// Reads outside a transaction, on an embedded database file, on a connection of this module's own.
// @libsql/client converts every integer through a BigInt and builds each row with two
// Object.defineProperty calls per column; on a list page that was a good part of the time spent in the
// database layer (docs/decisions/024). Here rows are made by a class per column list, and statements are
// kept prepared by the per-connection cache every libsql connection of the process has
// (db/statement-cache.ts). The result has the client's shape: rows read by index and by column name (the
// first of two columns with one name wins), names and types of the columns.
import type Database from "libsql";
import type { InArgs, InValue, ResultSet, Row } from "@libsql/client";
import { libsqlDatabaseClass } from "./statement-cache";

const VALUES = Symbol("values");

interface Shape {
  columns: string[];
  columnTypes: string[];
  Row: new (values: unknown[]) => Row;
}

export class ReadStatements {
  #db: Database.Database | null = null;
  /** What each kept statement's rows look like, worked out once per statement. */
  readonly #shapes = new WeakMap<Database.Statement<unknown[]>, Shape>();

  constructor(
    private readonly path: string,
    private readonly options: { timeout: number },
  ) {}

  /**
   * The statement's result, or null when it is not one this path takes (named arguments, a value the
   * client would refuse or convert differently): the caller then sends it through the client, which also
   * gives any error its usual form.
   */
  execute(sql: string, args: InArgs | undefined): ResultSet | null {
    const run = this.#run(sql, args, (statement, bound) => ({
      shape: this.#shapeOf(statement),
      values: statement.all(bound) as unknown[][],
    }));
    if (!run) return null;
    const { shape, values } = run;
    const { columns, columnTypes, Row } = shape;
    const rows = values.map((v) => new Row(v.map(fromSql)));
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
  value(sql: string, args: InArgs | undefined): { value: unknown } | null {
    return this.#run(sql, args, (statement, bound) => {
      this.#shapeOf(statement); // which puts a kept statement in raw mode: a row is its values
      const row = statement.get(bound) as unknown[] | undefined;
      return { value: row === undefined ? undefined : fromSql(row[0]) };
    });
  }

  close(): void {
    this.#db?.close();
    this.#db = null;
  }

  /** Runs a read on this connection, or answers null for a statement the client should run instead. */
  #run<T>(
    sql: string,
    args: InArgs | undefined,
    read: (statement: Database.Statement<unknown[]>, bound: unknown[]) => T,
  ): T | null {
    if (args !== undefined && !Array.isArray(args)) return null;
    const bound = args ? sqlArgs(args) : [];
    if (!bound) return null;
    try {
      // The class @libsql/client itself uses, whose statements db/statement-cache.ts keeps.
      this.#db ??= new (libsqlDatabaseClass() as unknown as typeof Database)(
        this.path,
        this.options,
      );
      return read(this.#db.prepare(sql), bound);
    } catch {
      // A statement stopped midway would hold the connection's read snapshot open: start afresh.
      this.close();
      return null;
    }
  }

  #shapeOf(statement: Database.Statement<unknown[]>): Shape {
    let shape = this.#shapes.get(statement);
    if (!shape) {
      // Kept statements stay in raw mode (arrays of values): only this connection uses them.
      statement.raw(true);
      const definitions = statement.columns();
      const columns = definitions.map((c) => c.name);
      shape = {
        columns,
        columnTypes: definitions.map((c) => c.type ?? ""),
        Row: rowClass(columns),
      };
      this.#shapes.set(statement, shape);
    }
    return shape;
  }
}

/** Arguments as the client would bind them, or null for one it would refuse (it then says why). */
function sqlArgs(args: InValue[]): unknown[] | null {
  const bound: unknown[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return null;
      bound[i] = value;
    } else if (typeof value === "boolean") bound[i] = value ? 1 : 0;
    else if (value instanceof ArrayBuffer) bound[i] = Buffer.from(value);
    else if (value instanceof Date) bound[i] = value.valueOf();
    else if (value === undefined || typeof value === "bigint") return null;
    else bound[i] = value;
  }
  return bound;
}

/**
 * A row's values in column order. Index access on these rows goes through the prototype, which V8 does
 * slowly; a mapper reading every column of every row (db/prepared.ts) takes the array itself.
 */
export const rowValues = (row: Row): ArrayLike<unknown> =>
  (row as unknown as { [VALUES]?: unknown[] })[VALUES] ?? row;

/** Blobs come back as ArrayBuffers, as the client gives them. */
const fromSql = (value: unknown): unknown =>
  value instanceof Buffer
    ? (value.buffer as ArrayBuffer).slice(value.byteOffset, value.byteOffset + value.byteLength)
    : value;

/** A value in a result's JSON form, as the client writes it: blobs in base64. */
const toJson = (value: unknown): unknown =>
  value instanceof ArrayBuffer ? Buffer.from(value).toString("base64") : value;

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
