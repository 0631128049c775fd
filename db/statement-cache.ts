// Prepared statements kept per connection: `@libsql/client` prepares every statement anew on each
// execute, which for an INSERT on a table with triggers cost more than running it (docs/decisions/028).
import { createRequire } from "node:module";

/**
 * Statements kept per connection, least recently used dropped first. The read connection
 * (db/read-statements.ts) sees every distinct SELECT the app sends: a few hundred, as filters combine.
 */
export const STATEMENTS_PER_CONNECTION = 300;

interface LibsqlDatabase {
  prepare: (this: LibsqlDatabase, sql: string) => unknown;
}

/** libsql's Database class: the very copy `@libsql/client` uses (its dependency, not ours). */
export function libsqlDatabaseClass(): { prototype: LibsqlDatabase } {
  const client = createRequire(import.meta.url).resolve("@libsql/client");
  return createRequire(client)("libsql") as { prototype: LibsqlDatabase };
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
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
    } else {
      cache.delete(sql); // most recently used goes last
    }
    cache.set(sql, statement);
    return statement;
  };
  proto[installed] = true;
}
