// Groups of writes that need no JavaScript between their statements (a single INSERT, UPDATE or DELETE
// outside a transaction, a batch) run on a thread of their own on an embedded database file
// (db/sqlite-worker.mjs, docs/decisions/034): their statements, the savepoints, the commit and its fsync
// then leave the event loop free, which goes on reading the next requests while the group commits. The
// write queue (db/client.ts) still decides whose turn it is, so the process keeps one writer at a time.
import type { InArgs, InStatement, ResultSet } from "@libsql/client";
import { resultSet } from "./read-statements";
import { sqlArgs, sqliteThread, ThreadConnection, type ThreadItem } from "./sqlite-thread";

/** A statement as the thread takes it: positional arguments it can be sent. */
export interface ThreadStatement {
  sql: string;
  args: unknown[];
}

type StatementAnswer =
  | { rows: unknown[][]; columns: string[]; columnTypes: string[] }
  | { rowsAffected: number; lastInsertRowid: number | bigint };

interface Group extends ThreadItem {
  members: ThreadStatement[][];
  readings: string[];
}

/** What the thread answers for a group (db/sqlite-worker.mjs). */
type GroupAnswer =
  | {
      id: number;
      members: ({ results: StatementAnswer[] } | { failed: true })[];
      readings: unknown[];
    }
  | { id: number; failed: true }
  | { id: number; busy: string };

/** The process's write thread. */
const thread = sqliteThread<Group, GroupAnswer>("write");

/** The statements as the thread takes them, or null when one of them is not for it (named arguments). */
export function threadStatements(stmts: InStatement[]): ThreadStatement[] | null {
  const sendable: ThreadStatement[] = [];
  for (const stmt of stmts) {
    const args: InArgs = typeof stmt === "string" ? [] : (stmt.args ?? []);
    const bound = Array.isArray(args) ? sqlArgs(args) : null;
    if (!bound) return null;
    sendable.push({ sql: typeof stmt === "string" ? stmt : stmt.sql, args: bound });
  }
  return sendable;
}

export class WriteStatements {
  /** This client's connection on the write thread; closed with its client. */
  readonly #on: ThreadConnection<Group, GroupAnswer>;

  constructor(path: string, options: { timeout: number }) {
    this.#on = new ThreadConnection(thread, path, options.timeout);
  }

  /**
   * Runs the members as one transaction, each in a savepoint of its own, and the readings (statements
   * of one value) last, then commits once. Answers null when nothing of it was committed (the thread
   * could not be asked, or the transaction or its commit failed), else per member its results, or null
   * for a member whose statements failed and were undone, and each reading's first value (undefined
   * where it failed). Either way the caller runs what was not committed through the client, which
   * gives any error its usual form. "lost": the thread died with the group, committed or not;
   * `{ busy }`: another process held the write lock for the whole busy timeout (the error's message).
   */
  async group(
    members: ThreadStatement[][],
    readings: string[],
  ): Promise<
    { members: (ResultSet[] | null)[]; readings: unknown[] } | { busy: string } | "lost" | null
  > {
    // The write queue has waited for its members already.
    const answer = await this.#on.send({ members, readings }, { now: true });
    if (answer && "lost" in answer) return "lost";
    if (answer && "busy" in answer) return { busy: answer.busy };
    if (!answer || !("members" in answer)) return null;
    return {
      members: answer.members.map((m) => ("results" in m ? m.results.map(resultSet) : null)),
      readings: answer.readings,
    };
  }

  close(): void {
    this.#on.close();
  }
}
