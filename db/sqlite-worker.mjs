// A thread that runs SQLite statements for the event loop, so that SQLite's work, synchronous in libsql,
// leaves it free for other requests. A process has two: one for reads outside a transaction
// (db/read-statements.ts, docs/decisions/033) and one for groups of writes that need no JavaScript between
// their statements (db/write-statements.ts, docs/decisions/034), so that a group's commit, with its
// fsync, never holds a read up. Plain JavaScript, so the same file runs under the TypeScript sources
// (tests, tsx) and beside the built server (scripts/build.mjs copies it).
//
// Messages in: an array of items, `{ close }` with a connection's number, or `{ end: true }` (close
// everything and end the thread). Messages out: an array of answers, one per item, in order.
//
// - A read `{ id, connection, path, timeout, sql, args, one }` is answered `{ id, value }` for `one` (the
//   first column of the first row), `{ id, rows, columns, columnTypes }` otherwise, `{ id, failed }` when
//   it failed (the main thread then asks the client, which gives the error its usual form).
// - A group of writes `{ id, connection, path, timeout, members }`, each member an array of statements
//   `{ sql, args }`, runs in one BEGIN IMMEDIATE, each member in a savepoint of its own, then `readings`
//   (statements of one value, for the commit listeners, db/client.ts), and commits once. It is answered
//   `{ id, members, readings }` with, per member, `{ results }` (per statement `{ rows, columns,
//   columnTypes }` or `{ rowsAffected, lastInsertRowid }`) or `{ failed }` (its writes undone, the rest
//   committed), and each reading's value; `{ id, failed }` when nothing of it was committed; `{ id, busy }`
//   (the error's message) when another process held the write lock for the whole busy timeout.
//
// The thread says "ready" once libsql is loaded: an item sent to a thread that died before that never ran.
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

/** libsql's Database class, the very copy @libsql/client uses (the main thread resolved it). */
const Database = createRequire(import.meta.url)(workerData.libsql);
/** Statements kept per connection, least recently used dropped first. */
const keep = workerData.statementsPerConnection;
const SAVEPOINT = "tengsl_writer";

// Loaded: from now on, a write group this thread was sent may have run (db/sqlite-thread.ts).
parentPort.postMessage("ready");

/** @type {Map<number, { db: any, statements: Map<string, { statement: any, returnsData: boolean, columns?: string[], columnTypes?: string[] }> }>} */
const connections = new Map();

parentPort.on("message", (message) => {
  if (Array.isArray(message))
    parentPort.postMessage(message.map((item) => (item.members ? writeGroup(item) : read(item))));
  else if (message.end) {
    // Between statements: a thread terminated during a native call takes the process down with it.
    for (const connection of [...connections.keys()]) close(connection);
    parentPort.close();
  } else close(message.close);
});

function read({ id, connection, path, timeout, sql, args, one }) {
  try {
    const kept = statementOf(connectionOf(connection, path, timeout), sql);
    if (one) {
      const row = kept.statement.get(bound(args));
      return { id, value: row === undefined ? undefined : row[0] };
    }
    return { id, ...rowsOf(kept, args) };
  } catch {
    // A statement stopped midway would hold the connection's read snapshot open: start afresh.
    close(connection);
    return { id, failed: true };
  }
}

function writeGroup({ id, connection, path, timeout, members, readings }) {
  let open;
  try {
    open = connectionOf(connection, path, timeout);
    statementOf(open, "BEGIN IMMEDIATE").statement.run();
  } catch (error) {
    // Another process held the write lock for the whole busy timeout: run again on the event loop,
    // the group would wait as long again there, blocking every request. Its writers hear it.
    if (String(error?.code).startsWith("SQLITE_BUSY")) return { id, busy: String(error.message) };
    return { id, failed: true };
  }
  try {
    const answers = members.map((statements) => writeMember(open, statements));
    const values = readings.map((sql) => readAtCommit(open, sql));
    statementOf(open, "COMMIT").statement.run();
    return { id, members: answers, readings: values };
  } catch {
    // A member's writes could not be undone, SQLite rolled the whole transaction back, or the commit
    // failed (which leaves the transaction open, with the write lock): nothing of the group is
    // committed. Closing would not end it: libsql keeps a connection with prepared statements open.
    try {
      if (open.db.inTransaction) open.db.exec("ROLLBACK");
    } catch {
      // Nor would a closed connection with prepared statements: the thread ends, which releases the
      // lock, and the group's writers hear that its outcome is not known.
      process.exit(1);
    }
    return { id, failed: true };
  }
}

/** One member's statements in a savepoint: its results, or `failed` with its writes undone. */
function writeMember(open, statements) {
  statementOf(open, `SAVEPOINT ${SAVEPOINT}`).statement.run();
  try {
    const results = statements.map(({ sql, args }) => {
      const kept = statementOf(open, sql);
      if (kept.returnsData) return rowsOf(kept, args);
      const { changes, lastInsertRowid } = kept.statement.run(bound(args));
      return { rowsAffected: changes, lastInsertRowid };
    });
    statementOf(open, `RELEASE ${SAVEPOINT}`).statement.run();
    return { results };
  } catch {
    // Some errors make SQLite roll the whole transaction back: the group cannot go on.
    if (!open.db.inTransaction) throw new Error("The group's transaction was rolled back");
    statementOf(open, `ROLLBACK TO ${SAVEPOINT}`).statement.run();
    statementOf(open, `RELEASE ${SAVEPOINT}`).statement.run();
    return { failed: true };
  }
}

/** A reading's first value under the group's write lock (undefined when it failed). */
function readAtCommit(open, sql) {
  try {
    return statementOf(open, sql).statement.get()?.[0];
  } catch {
    return undefined;
  }
}

function rowsOf(kept, args) {
  const rows = kept.statement.all(bound(args));
  if (!kept.columns) {
    const definitions = kept.statement.columns();
    kept.columns = definitions.map((c) => c.name);
    kept.columnTypes = definitions.map((c) => c.type ?? "");
  }
  return { rows, columns: kept.columns, columnTypes: kept.columnTypes };
}

const bound = (args) =>
  args.map((value) => (value instanceof ArrayBuffer ? Buffer.from(value) : value));

function connectionOf(connection, path, timeout) {
  let open = connections.get(connection);
  if (!open) {
    open = { db: new Database(path, { timeout }), statements: new Map() };
    connections.set(connection, open);
  }
  return open;
}

function statementOf(open, sql) {
  let kept = open.statements.get(sql);
  if (kept) {
    open.statements.delete(sql); // most recently used goes last
  } else {
    const statement = open.db.prepare(sql);
    // Kept statements that return data stay in raw mode (arrays of values): only this thread uses them.
    // raw() refuses a statement that returns none.
    let returnsData = true;
    try {
      statement.raw(true);
    } catch {
      returnsData = false;
    }
    kept = { statement, returnsData };
    if (open.statements.size >= keep) open.statements.delete(open.statements.keys().next().value);
  }
  // A "*" may name other columns once the schema changes: such a statement is asked each time.
  if (kept.returnsData && sql.includes("*")) kept.columns = undefined;
  open.statements.set(sql, kept);
  return kept;
}

function close(connection) {
  connections.get(connection)?.db.close();
  connections.delete(connection);
}
