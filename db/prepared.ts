// Drizzle builds a query's SQL anew on every call, and on the hottest reads (the session behind every
// request, the first page of a list) building cost more than SQLite answering. A query that varies only
// in which conditions it has is built once per combination, its "shape", with placeholders for the values
// (`sql.placeholder`), and kept per database.
//
// Mapping rows cost as much again: Drizzle's general mapper asks each column's kind and walks its path on
// every row of every call. `prepareRows` works out once what each column of a select becomes, so a row is
// a loop of assignments (docs/decisions/029).
import {
  Column,
  fillPlaceholders,
  getTableColumns,
  is,
  noopDecoder,
  SQL,
  sql,
  Table,
  type DriverValueDecoder,
} from "drizzle-orm";
import type { InArgs } from "@libsql/client";
import type { Db } from "./client";
import { rowValues } from "./read-statements";

/** A named value of a query built once per shape, given when it runs: `query.all({ name: … })`. */
export const param = (name: string) => sql.placeholder(name);

export function perShape<Shape extends object, Query>(
  build: (db: Db, shape: Shape) => Query,
): (db: Db, shape: Shape) => Query {
  const built = new WeakMap<Db, Map<string, Query>>();
  return (db, shape) => {
    let queries = built.get(db);
    if (!queries) built.set(db, (queries = new Map<string, Query>()));
    const key = JSON.stringify(shape);
    let query = queries.get(key);
    if (!query) queries.set(key, (query = build(db, shape)));
    return query;
  };
}

/** What Drizzle's select builders offer that `prepareRows` uses: their SQL and their selection. */
interface SelectQuery<Result> {
  toSQL(): { sql: string; params: unknown[] };
  readonly _: { readonly selectedFields: object; readonly result: Result };
}

export interface PreparedRows<Row> {
  /** The rows for these placeholder values, as Drizzle's own `.all()` would give them. */
  all(values?: Record<string, unknown>): Promise<Row[]>;
}

/**
 * A select's SQL, built once, run on the database's client, its rows made by a mapper built for its
 * column list. For selects of columns, tables and `sql` expressions, joined with inner joins: a table
 * reached by a left join would need Drizzle's rule that turns its all-null columns into a null object,
 * which this mapper does not have (the tests compare each use with Drizzle's own rows).
 */
export function prepareRows<Result extends unknown[]>(
  db: Db,
  query: SelectQuery<Result>,
): PreparedRows<Result[number]> {
  const { sql: text, params } = query.toSQL();
  const toRow = rowMapper(query._.selectedFields);
  return {
    async all(values = {}) {
      const { rows } = await db.$client.execute({
        sql: text,
        args: fillPlaceholders(params, values) as InArgs,
      });
      return rows.map((row) => toRow(rowValues(row)) as Result[number]);
    },
  };
}

interface Leaf {
  /** Where the value goes: one name, or an object's name then the column's. */
  path: string[];
  /** Turns the stored value into what the schema says (a boolean, a Date, parsed JSON); null if as stored. */
  decode: ((value: unknown) => unknown) | null;
}

/** The selection's columns in the order Drizzle writes them into the SELECT (its object key order). */
function leaves(fields: object, prefix: string[] = []): Leaf[] {
  return Object.entries(fields).flatMap(([name, field]: [string, unknown]): Leaf[] => {
    const path = [...prefix, name];
    if (is(field, Column)) return [{ path, decode: decoderOf(field) }];
    if (is(field, SQL.Aliased)) return [{ path, decode: decoderOf(sqlDecoder(field.sql)) }];
    if (is(field, SQL)) return [{ path, decode: decoderOf(sqlDecoder(field)) }];
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

/** A decoder's mapping function, compared, never called, here. */
const mappingOf = (decoder: object): unknown => Reflect.get(decoder, "mapFromDriverValue");

/** Columns and expressions that keep the stored value as it is. */
const identity = [mappingOf(Column.prototype), mappingOf(noopDecoder)];

function decoderOf(decoder: DriverValueDecoder<unknown, unknown>) {
  return identity.includes(mappingOf(decoder))
    ? null
    : (value: unknown) => decoder.mapFromDriverValue(value);
}

function rowMapper(fields: object): (row: ArrayLike<unknown>) => unknown {
  const columns = leaves(fields);
  return (row) => {
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
}
