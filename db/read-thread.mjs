// The thread that runs reads outside a transaction on database files (db/read-statements.ts), so that
// SQLite's work, synchronous in libsql, leaves the event loop free for other requests (docs/decisions/033).
// Plain JavaScript, so the same file runs under the TypeScript sources (tests, tsx) and beside the built
// server (scripts/build.mjs copies it).
//
// Messages in: an array of reads `{ id, connection, path, timeout, sql, args, one }`, `{ close }` with a
// connection's number, or `{ end: true }` (close everything and end the thread). Messages out: an array
// of answers, one per read, in order: `{ id, value }` for `one` (the first column of the first row),
// `{ id, rows, columns, columnTypes }` otherwise, `{ id, failed }` when the read failed (the main thread
// then asks the client, which gives the error its usual form).
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

/** libsql's Database class, the very copy @libsql/client uses (the main thread resolved it). */
const Database = createRequire(import.meta.url)(workerData.libsql);
/** Statements kept per connection, least recently used dropped first. */
const keep = workerData.statementsPerConnection;

/** @type {Map<number, { db: any, statements: Map<string, { statement: any, columns?: string[], columnTypes?: string[] }> }>} */
const connections = new Map();

parentPort.on("message", (message) => {
  if (Array.isArray(message)) parentPort.postMessage(message.map(read));
  else if (message.end) {
    // Between statements: a thread terminated during a native call takes the process down with it.
    for (const connection of [...connections.keys()]) close(connection);
    parentPort.close();
  } else close(message.close);
});

function read({ id, connection, path, timeout, sql, args, one }) {
  try {
    const kept = statementOf(connection, path, timeout, sql);
    const bound = args.map((value) => (value instanceof ArrayBuffer ? Buffer.from(value) : value));
    if (one) {
      const row = kept.statement.get(bound);
      return { id, value: row === undefined ? undefined : row[0] };
    }
    const rows = kept.statement.all(bound);
    if (!kept.columns) {
      const definitions = kept.statement.columns();
      kept.columns = definitions.map((c) => c.name);
      kept.columnTypes = definitions.map((c) => c.type ?? "");
    }
    return { id, rows, columns: kept.columns, columnTypes: kept.columnTypes };
  } catch {
    // A statement stopped midway would hold the connection's read snapshot open: start afresh.
    close(connection);
    return { id, failed: true };
  }
}

function statementOf(connection, path, timeout, sql) {
  let open = connections.get(connection);
  if (!open) {
    open = { db: new Database(path, { timeout }), statements: new Map() };
    connections.set(connection, open);
  }
  let kept = open.statements.get(sql);
  if (kept) {
    open.statements.delete(sql); // most recently used goes last
  } else {
    // Kept statements stay in raw mode (arrays of values): only this thread uses them.
    kept = { statement: open.db.prepare(sql).raw(true) };
    if (open.statements.size >= keep) open.statements.delete(open.statements.keys().next().value);
  }
  // A "*" may name other columns once the schema changes: such a statement is asked each time.
  if (sql.includes("*")) kept.columns = undefined;
  open.statements.set(sql, kept);
  return kept;
}

function close(connection) {
  connections.get(connection)?.db.close();
  connections.delete(connection);
}
