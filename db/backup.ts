// Backups of an embedded database: a consistent copy of the live file (VACUUM INTO, which reads one
// snapshot while the server goes on writing), and putting such a copy back in place of the database.
import {
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { filePathOf, openDb } from "./client";
import { defaultMigrationsFolder } from "./migrate";

export class BackupError extends Error {
  override name = "BackupError";
}

const remoteAdvice =
  "a libSQL server or Turso database is not a file here: use that service's own backups (Turso keeps " +
  "point-in-time backups and branches, `turso db shell NAME .dump` writes SQL; a self-hosted sqld keeps " +
  "snapshots and can be copied while stopped).";

function databaseFile(databaseUrl: string): string {
  const path = filePathOf(databaseUrl);
  if (path === null) throw new BackupError(`DATABASE_URL names ${remoteAdvice}`);
  if (path === ":memory:") throw new BackupError("An in-memory database has nothing to back up.");
  return resolve(path);
}

/** Copies the live database at `databaseUrl` to `target`, which must not exist yet. */
export async function backupDatabase(databaseUrl: string, target: string) {
  const source = databaseFile(databaseUrl);
  const file = resolve(target);
  if (!existsSync(source)) throw new BackupError(`There is no database at ${source}.`);
  if (existsSync(file)) throw new BackupError(`${file} exists already; name a new file.`);
  if (!existsSync(dirname(file)))
    throw new BackupError(`The folder ${dirname(file)} does not exist.`);
  const db = await openDb({ url: `file:${source}` });
  try {
    await db.$client.execute({ sql: "VACUUM INTO ?", args: [file] });
  } finally {
    db.$client.close();
  }
  return { file, bytes: statSync(file).size };
}

/** What a file holds, if it is a Tengsl database; throws a BackupError saying why not. */
async function inspect(file: string) {
  let client: Client | undefined;
  try {
    client = createClient({ url: `file:${file}` });
    const check = await client.execute("PRAGMA quick_check");
    const verdict = check.rows[0]?.[0] as string | undefined;
    if (verdict !== "ok") throw new BackupError(`${file} is damaged (${verdict}).`);
    const tables = await client.execute(
      "select name from sqlite_master where type = 'table' and name in ('__drizzle_migrations', 'users', 'accounts')",
    );
    if (tables.rows.length < 3) throw new BackupError(`${file} is not a Tengsl database.`);
    const migrations = await client.execute(
      "select count(*) as n, max(created_at) as last from __drizzle_migrations",
    );
    const { n, last } = migrations.rows[0] as unknown as { n: number; last: number | null };
    if (!n)
      throw new BackupError(`${file} has no migrations applied; it is not a Tengsl database.`);
    return { migrations: Number(n), lastMigration: Number(last) };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      `${file} is not a readable SQLite database (${(error as Error).message}).`,
    );
  } finally {
    client?.close();
  }
}

/**
 * Whether some process has the database open. A connection that asks for an exclusive lock with no wait
 * gets SQLITE_BUSY while any other connection (a running server) holds the file.
 */
async function inUse(file: string): Promise<boolean> {
  const client = createClient({ url: `file:${file}`, timeout: 0 });
  try {
    // One call, so both statements reach the same pooled connection.
    await client.executeMultiple("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;");
    return false;
  } catch (error) {
    if (/SQLITE_BUSY|locked/i.test((error as Error).message)) return true;
    throw error;
  } finally {
    client.close();
  }
}

/**
 * Puts the backup `source` in place of the database at `databaseUrl`. The server must be stopped; the
 * database it replaces (with its WAL files) is kept beside it as `….replaced-TIME`.
 */
export async function restoreDatabase(databaseUrl: string, source: string, now = new Date()) {
  const target = databaseFile(databaseUrl);
  const backup = resolve(source);
  if (!existsSync(backup)) throw new BackupError(`There is no backup at ${backup}.`);
  if (backup === target) throw new BackupError("The backup is the database itself.");
  const info = await inspect(backup);
  const newest = newestMigration();
  if (info.lastMigration > newest)
    throw new BackupError(
      `${backup} comes from a newer Tengsl release than this one; restore it with that release.`,
    );

  if (existsSync(target) && (await inUse(target)))
    throw new BackupError(
      `The database ${target} is in use: stop the Tengsl server (every process) first, then restore.`,
    );
  // Copied under a temporary name first: if the copy fails (disk full), the database is untouched.
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.restoring`;
  rmSync(partial, { force: true });
  try {
    copyFileSync(backup, partial, constants.COPYFILE_EXCL);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new BackupError(`Could not copy ${backup} (${(error as Error).message}).`);
  }
  let keptAside: string | null = null;
  if (existsSync(target)) {
    keptAside = `${target}.replaced-${now.toISOString().replace(/[:.]/g, "-")}`;
    // The WAL files belong to the old database: left behind, SQLite would apply them to the restored one.
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(target + suffix)) renameSync(target + suffix, keptAside + suffix);
    }
  }
  // A rename within one folder: the database path never holds half a file.
  renameSync(partial, target);
  return { target, keptAside, bytes: statSync(target).size, migrations: info.migrations };
}

function newestMigration(): number {
  const journal = JSON.parse(
    readFileSync(join(defaultMigrationsFolder, "meta/_journal.json"), "utf8"),
  ) as { entries: { when: number }[] };
  return Math.max(...journal.entries.map((e) => e.when));
}
