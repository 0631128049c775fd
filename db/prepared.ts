// Drizzle builds a query's SQL anew on every call, and on the hottest statements (the session behind every
// request, the first page of a list, a widget submission) building cost more than SQLite running them. A
// statement that varies only in which conditions it has is built once per combination, its "shape", with
// placeholders for the values (`param()`), and kept for the process.
//
// Mapping rows cost as much again: Drizzle's general mapper asks each column's kind and walks its path on
// every row of every call. `prepareRows` works out once what each column of a select becomes, so a row is
// a loop of assignments (docs/decisions/029).
import {
  Column,
  getTableColumns,
  is,
  noopDecoder,
  noopEncoder,
  Param,
  Placeholder,
  SQL,
  sql,
  Table,
  type DriverValueDecoder,
} from "drizzle-orm";
import type { InArgs, Row } from "@libsql/client";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { readValue, type Db, type DbOrTx } from "./client";
import { rowValues } from "./read-statements";

/** A named value of a query built once per shape, given when it runs: `query.all({ name: … })`. */
export const param = (name: string) => sql.placeholder(name);

/**
 * A placeholder for every column of a table but those omitted, each named as its column, for an INSERT
 * built once: `on.insert(orderItems).values(placeholders(orderItems))`. Each call must then give every
 * one of them (a column added to the table later is asked for too, by name).
 */
export function placeholders<
  T extends Table,
  Omitted extends keyof T["$inferInsert"] & string = never,
>(
  table: T,
  omit: readonly Omitted[] = [],
): { [K in Exclude<keyof T["$inferInsert"] & string, Omitted>]: Placeholder<K> } {
  const names = Object.keys(getTableColumns(table)).filter(
    (name) => !omit.includes(name as Omitted),
  );
  return Object.fromEntries(names.map((name) => [name, param(name)])) as never;
}

/**
 * The statement for each shape (which conditions a query has), built the first time that shape is asked
 * for and kept for the process: a built statement is SQL text, the same for every database.
 */
export function perShape<Shape extends object, Statement>(
  build: (shape: Shape) => Statement,
): (shape: Shape) => Statement {
  const built = new Map<string, Statement>();
  return (shape) => {
    const key = JSON.stringify(shape);
    let statement = built.get(key);
    if (!statement) built.set(key, (statement = build(shape)));
    return statement;
  };
}

/** What Drizzle's query builders offer that this module uses: their SQL and parameters. */
interface Buildable {
  toSQL(): { sql: string; params: unknown[] };
}

/** ...and a select's selection, for its rows. */
interface SelectQuery<Result> extends Buildable {
  readonly _: { readonly selectedFields: object; readonly result: Result };
}

/** A statement's SQL, how each call's values become its parameters, and the two as Drizzle SQL. */
interface Built {
  text: string;
  fill: (values: Record<string, unknown>) => unknown[];
  /** The statement with these parameters, for Drizzle to run on a transaction. */
  sql: (args: unknown[]) => SQL;
}

function built(query: Buildable): Built {
  const { sql: text, params } = query.toSQL();
  // Drizzle writes each parameter as "?" and quotes no "?" of its own in these statements; a statement
  // with one in a literal could not be split here and is refused when first built.
  const parts = text.split("?");
  if (parts.length !== params.length + 1)
    throw new Error(`A prepared statement may hold no "?" but its parameters: ${text}`);
  const fillers = params.map(fillerOf);
  const template = Object.assign(parts, { raw: parts });
  return {
    text,
    fill: (values) => fillers.map((fill) => fill(values)),
    sql: (args) => sql(template, ...args),
  };
}

/**
 * How one parameter gets its value: a literal as built; a placeholder from the call's values, through
 * its column's encoder (JSON, booleans) unless null or undefined. (Drizzle's own `fillPlaceholders` encodes null too,
 * which stores a JSON column's null as the text "null".)
 */
function fillerOf(param: unknown): (values: Record<string, unknown>) => unknown {
  // A value given as undefined goes in as NULL: a column's default is not used (give it explicitly).
  // A name not given at all is a mistake.
  const valueOf = (values: Record<string, unknown>, name: string) => {
    if (!Object.hasOwn(values, name))
      throw new Error(`No value for placeholder "${name}" was provided`);
    return values[name] ?? null;
  };
  // What reaches the statement must be a value SQLite stores: Drizzle's `sql` tag (the transaction path)
  // would write an array as a list and an SQL object as SQL.
  const stored = (name: string, value: unknown) => {
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
    throw new Error(`The value for "${name}" is not a string, number, boolean, null or bytes`);
  };
  if (is(param, Placeholder)) return (values) => stored(param.name, valueOf(values, param.name));
  if (is(param, Param) && is(param.value, Placeholder)) {
    const { name } = param.value;
    const encoder = param.encoder;
    if (encodesAsIs(encoder)) return (values) => stored(name, valueOf(values, name));
    return (values) => {
      const value = valueOf(values, name);
      return stored(name, value === null ? null : encoder.mapToDriverValue(value));
    };
  }
  return () => param;
}

/** Inside a transaction the statement must run on it; a database has the client of its own. */
const isDb = (on: DbOrTx): on is Db => "$client" in on;

export interface PreparedRows<Row> {
  /** The rows for these placeholder values, on the database or in a transaction, as Drizzle's `.all()`. */
  all(on: DbOrTx, values?: Record<string, unknown>): Promise<Row[]>;
}

/**
 * A select built the first time it runs (by `build`, on whichever database or transaction that is),
 * then kept as SQL and a plan for its rows. On a database it runs on the client (the read thread
 * for files, db/read-statements.ts); in a transaction, on it. For selects of columns, tables and `sql`
 * expressions, joined with inner joins: a table reached by a left join would need Drizzle's rule that
 * turns its all-null columns into a null object, which this mapper does not have (the tests compare
 * each use with Drizzle's own rows).
 */
export function prepareRows<Result extends unknown[]>(
  build: (on: DbOrTx) => SelectQuery<Result>,
): PreparedRows<Result[number]> {
  let plan:
    | (Built & { toRow: (values: ArrayLike<unknown>) => unknown; width: number; json: boolean })
    | undefined;
  return {
    async all(on, values = {}) {
      if (!plan) {
        const query = build(on);
        const inner = query.toSQL().sql;
        if (/\b(left|right|full)( outer)? join\b/i.test(inner))
          throw new Error(`prepareRows maps inner joins only: ${inner}`);
        const mapper = rowMapper(query._.selectedFields);
        plan = {
          ...(mapper.json ? built(inOneJsonValue(query, mapper.width)) : built(query)),
          ...mapper,
        };
      }
      const args = plan.fill(values);
      let rows: ArrayLike<unknown>[];
      if (plan.json) {
        const page = isDb(on)
          ? await readValue(on, plan.text, args as InArgs)
          : (await on.values<[string]>(plan.sql(args)))[0]![0];
        rows = JSON.parse(page as string) as unknown[][];
      } else {
        rows = isDb(on)
          ? (await on.$client.execute({ sql: plan.text, args: args as InArgs })).rows
          : await on.values(plan.sql(args));
      }
      const { toRow, width } = plan;
      return rows.map((row) => {
        const values = rowValues(row as Row);
        // A select() without a selection over a join selects every table's columns, but names only
        // the first table's in its selection: refuse it rather than mislabel the values.
        if (values.length !== width)
          throw new Error(
            `prepareRows: the selection names ${width} columns, the rows have ${values.length}`,
          );
        return toRow(values);
      });
    },
  };
}

export interface PreparedWrite {
  /** Runs the statement with these placeholder values, on the database or in a transaction. */
  run(on: DbOrTx, values?: Record<string, unknown>): Promise<unknown>;
  /** Its RETURNING rows, by the returned columns' names in the database. */
  returning<Row>(on: DbOrTx, values?: Record<string, unknown>): Promise<Row[]>;
  /** The statement with these values, for `writeTogether`. */
  statement(on: Db, values?: Record<string, unknown>): { sql: string; args: InArgs };
}

/**
 * An INSERT, UPDATE or DELETE built the first time it runs, then kept as SQL: each call hands Drizzle
 * only the values. For the writes of the busiest doors (every widget submission and ingest request),
 * where building the statement cost more than SQLite running it. Every value the statement needs must
 * be a `param()`; a column's `$defaultFn` would be called once, when it is built.
 */
export function prepareWrite(build: (on: DbOrTx) => Buildable): PreparedWrite {
  let statement: Built | undefined;
  const bound = (on: DbOrTx, values: Record<string, unknown>) => {
    statement ??= built(build(on));
    return statement.sql(statement.fill(values));
  };
  return {
    async run(on, values = {}) {
      return on.run(bound(on, values));
    },
    async returning<Row>(on: DbOrTx, values: Record<string, unknown> = {}) {
      return on.all<Row>(bound(on, values));
    },
    statement(on, values = {}) {
      statement ??= built(build(on));
      return { sql: statement.text, args: statement.fill(values) as InArgs };
    },
  };
}

/**
 * Statements built by `prepareWrite`, run as one batch: they commit together or not at all. With no
 * JavaScript to run between them, on a database file they commit on the write thread, off the event loop
 * (db/write-statements.ts, docs/decisions/034). Answers each statement's rows (RETURNING) as arrays of
 * values.
 */
export async function writeTogether(
  db: Db,
  ...writes: { write: PreparedWrite; values: Record<string, unknown> }[]
): Promise<ArrayLike<unknown>[][]> {
  const results = await db.$client.batch(
    writes.map(({ write, values }) => write.statement(db, values)),
    "write",
  );
  return results.map((result) => result.rows.map(rowValues));
}

/**
 * An INSERT of one row that happens only where `condition` holds, for `prepareWrite`:
 * `insert into t (…) select ?, ?, … where condition`. Its values are placeholders named as the columns,
 * as `placeholders` makes them, and the omitted columns are stored as NULL. The condition keeps a write
 * that depends on another's outcome (a quota's count) inside one batch.
 */
export function insertWhere<T extends SQLiteTable>(
  on: DbOrTx,
  table: T,
  omit: readonly (keyof T["$inferInsert"] & string)[],
  condition: SQL,
) {
  const values = Object.entries(getTableColumns(table))
    // As Drizzle lists them in an INSERT: every column but generated ones.
    .filter(([, column]) => column.generated === undefined)
    .map(([name, column]) =>
      omit.includes(name as never) ? sql`null` : sql`${new Param(param(name), column)}`,
    );
  return on.insert(table).select(sql`select ${sql.join(values, sql`, `)} where ${condition}`);
}

/**
 * The select's rows as one JSON text: `[[row 1's values], [row 2's], …]`. libsql hands each value of each
 * row to JavaScript in a native call of its own, which for a page of 20 rows of 8 columns cost twice what
 * SQLite spends finding them; one text and `JSON.parse` cost a third (docs/decisions/030). Only for
 * columns whose values JSON carries exactly (see `jsonSafe`). The rows keep the select's order: SQLite
 * does not flatten an ordered subquery into an aggregate, and runs it as a co-routine feeding the
 * aggregate in order (the tests compare ordered pages with Drizzle's).
 */
function inOneJsonValue(query: Buildable, width: number): Buildable {
  const names = Array.from({ length: width }, (_, i) => `c${i}`).join(", ");
  return {
    toSQL() {
      const { sql: text, params } = query.toSQL();
      return {
        sql: `with page(${names}) as (${text}) select json_group_array(json_array(${names})) from page`,
        params,
      };
    },
  };
}

/**
 * Whether JSON carries a column's stored values exactly: text and integers (and what the schema makes of
 * them: booleans, dates, JSON held as text). A REAL would come back with 15 digits, a BLOB not at all. An
 * expression counts as the column its `.mapWith()` names, else it is not known.
 */
const jsonSafe = (source: unknown) =>
  is(source, Column) && ["text", "integer"].includes(source.getSQLType());

interface Leaf {
  /** Where the value goes: one name, or an object's name then the column's. */
  path: string[];
  /** Turns the stored value into what the schema says (a boolean, a Date, parsed JSON); null if as stored. */
  decode: ((value: unknown) => unknown) | null;
  json: boolean;
}

/** The selection's columns in the order Drizzle writes them into the SELECT (its object key order). */
function leaves(fields: object, prefix: string[] = []): Leaf[] {
  return Object.entries(fields).flatMap(([name, field]: [string, unknown]): Leaf[] => {
    const path = [...prefix, name];
    if (is(field, Column)) return [{ path, decode: decoderOf(field), json: jsonSafe(field) }];
    const expression = is(field, SQL.Aliased) ? field.sql : is(field, SQL) ? field : null;
    if (expression) {
      const decoder = sqlDecoder(expression);
      return [{ path, decode: decoderOf(decoder), json: jsonSafe(decoder) }];
    }
    if (is(field, Table)) return leaves(getTableColumns(field), path);
    if (field && typeof field === "object" && Object.getPrototypeOf(field) === Object.prototype)
      return leaves(field, path);
    throw new Error(`prepareRows cannot map the selected field "${path.join(".")}".`);
  });
}

/** The decoder `.mapWith()` gave an expression (Drizzle keeps it on the SQL object), else none. */
const sqlDecoder = (expression: SQL): DriverValueDecoder<unknown, unknown> =>
  (expression as unknown as { decoder?: DriverValueDecoder<unknown, unknown> }).decoder ??
  noopDecoder;

/** An object's mapping method, only compared here, never called. */
const methodOf = (object: object, name: "mapFromDriverValue" | "mapToDriverValue"): unknown =>
  Reflect.get(object, name);

/** Columns and expressions that read the stored value as it is, and that store a value as given. */
const readsAsIs = [Column.prototype, noopDecoder].map((o) => methodOf(o, "mapFromDriverValue"));
const storesAsIs = [Column.prototype, noopEncoder].map((o) => methodOf(o, "mapToDriverValue"));
const encodesAsIs = (encoder: object) => storesAsIs.includes(methodOf(encoder, "mapToDriverValue"));

function decoderOf(decoder: DriverValueDecoder<unknown, unknown>) {
  return readsAsIs.includes(methodOf(decoder, "mapFromDriverValue"))
    ? null
    : (value: unknown) => decoder.mapFromDriverValue(value);
}

function rowMapper(fields: object): {
  toRow: (row: ArrayLike<unknown>) => unknown;
  width: number;
  /** Whether the rows may travel as one JSON text. */
  json: boolean;
} {
  const columns = leaves(fields);
  const toRow = (row: ArrayLike<unknown>) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const { path, decode } = columns[i]!;
      let value = row[i];
      if (value !== null) {
        // As Drizzle's libsql driver: blobs become Buffers.
        if (value instanceof ArrayBuffer) value = Buffer.from(value);
        if (decode) value = decode(value);
      }
      let node = out;
      for (let j = 0; j < path.length - 1; j++)
        node = (node[path[j]!] ??= {}) as Record<string, unknown>;
      node[path[path.length - 1]!] = value;
    }
    return out;
  };
  return { toRow, width: columns.length, json: columns.every((c) => c.json) };
}
