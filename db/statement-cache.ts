// Prepared statements kept per connection: `@libsql/client` prepares every statement anew on each
// execute, which for an INSERT on a table with triggers cost more than running it (docs/decisions/028).
import { createRequire } from "node:module";

/**
 * Statements kept per connection, least recently used dropped first. The read thread's connection
 * (db/sqlite-worker.mjs) sees every distinct SELECT the app sends: a few hundred, as filters combine.
 */
export const STATEMENTS_PER_CONNECTION = 300;

interface LibsqlDatabase {
  prepare: (this: LibsqlDatabase, sql: string) => unknown;
}

interface LibsqlStatement {
  raw: (this: LibsqlStatement, toggle?: boolean) => LibsqlStatement;
  safeIntegers: (this: LibsqlStatement, toggle?: boolean) => LibsqlStatement;
  columns: (this: LibsqlStatement) => unknown[];
}

/** Where libsql's module is: the very copy `@libsql/client` uses (its dependency, not ours). */
export function libsqlPath(): string {
  const client = createRequire(import.meta.url).resolve("@libsql/client");
  return createRequire(client).resolve("libsql");
}

/** libsql's Database class, from `libsqlPath()`. */
export function libsqlDatabaseClass(): { prototype: LibsqlDatabase } {
  return createRequire(import.meta.url)(libsqlPath()) as { prototype: LibsqlDatabase };
}

const installed = Symbol.for("tengsl.statementCache");

/**
 * Makes `prepare` on every libsql connection of this process return the connection's earlier
 * statement for the same SQL text. Safe because @libsql/client runs each statement to completion
 * (`all` or `run`, which reset it) before it returns, one call at a time per connection, and SQLite
 * prepares a kept statement again by itself when the schema has changed. Idempotent.
 */
export function cachePreparedStatements(size = STATEMENTS_PER_CONNECTION): void {
  const proto = libsqlDatabaseClass().prototype as LibsqlDatabase & { [installed]?: true };
  if (proto[installed]) return;
  const prepare = proto.prepare;
  const caches = new WeakMap<LibsqlDatabase, Map<string, unknown>>();
  proto.prepare = function (this: LibsqlDatabase, sql: string) {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map<string, unknown>()));
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare.call(this, sql);
      rememberModes(Object.getPrototypeOf(statement) as LibsqlStatement);
      // A "*" may name other columns once the schema changes: such a statement asks libsql each time.
      if (sql.includes("*")) (statement as Modes)[COLUMNS_CHANGE] = true;
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
    } else {
      cache.delete(sql); // most recently used goes last
    }
    cache.set(sql, statement);
    return statement;
  };
  proto[installed] = true;
}

const RAW = Symbol("raw mode");
const SAFE_INTEGERS = Symbol("safe integers");
const NO_ROWS = Symbol("returns no rows");
const COLUMNS = Symbol("columns");
const COLUMNS_CHANGE = Symbol("columns may change");
type Modes = {
  [COLUMNS_CHANGE]?: true;
  [RAW]?: boolean;
  [SAFE_INTEGERS]?: boolean;
  [NO_ROWS]?: Error;
  [COLUMNS]?: unknown[];
};

/**
 * `@libsql/client` sets a statement's modes before every run: safe integers, then raw rows, which for a
 * statement that returns no rows (an INSERT, UPDATE or DELETE without RETURNING) throws, and the client
 * takes the throw to mean "no rows". Each is a native call, and the throw builds an Error with its stack:
 * for a kept statement, every time (an eighth of the ingest benchmark's time). It also asks a reading
 * statement for its columns twice per run. A statement now remembers its modes and its columns and
 * answers again without the native call, throwing the first error again where there was one. (The
 * columns of one SQL text change only where it has a "*" and the schema changed: those are asked anew.)
 */
function rememberModes(proto: LibsqlStatement & { [installed]?: true }): void {
  if (proto[installed]) return;
  const { raw, safeIntegers, columns } = proto;
  proto.raw = function (this: LibsqlStatement & Modes, toggle = true) {
    if (this[RAW] === toggle) return this;
    if (this[NO_ROWS]) throw this[NO_ROWS];
    try {
      raw.call(this, toggle);
    } catch (error) {
      // Its refusal (either way) of a statement that returns no rows; any other error is not kept.
      if (error instanceof Error && /only for statements that return data/.test(error.message))
        this[NO_ROWS] = error;
      throw error;
    }
    this[RAW] = toggle;
    return this;
  };
  proto.safeIntegers = function (this: LibsqlStatement & Modes, toggle = true) {
    if (this[SAFE_INTEGERS] === toggle) return this;
    safeIntegers.call(this, toggle);
    this[SAFE_INTEGERS] = toggle;
    return this;
  };
  proto.columns = function (this: LibsqlStatement & Modes) {
    if (this[COLUMNS_CHANGE]) return columns.call(this);
    return (this[COLUMNS] ??= columns.call(this));
  };
  proto[installed] = true;
}
