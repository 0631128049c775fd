// The one way to open the database: an embedded libSQL file by default, a libSQL server or Turso when
// DATABASE_URL says so. See ARCHITECTURE.md for why the busy timeout is a client option, not a PRAGMA.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface DbOptions {
  url: string;
  authToken?: string | undefined;
}

/** How long a writer waits for another writer's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

export function filePathOf(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  return url.startsWith("file://") ? fileURLToPath(url) : url.slice("file:".length);
}

export async function openDb({ url, authToken }: DbOptions): Promise<Db> {
  const path = filePathOf(url);
  // libsql does not create a missing folder for a file database.
  if (path && path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const client = createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS });
  // WAL is a property of the database file, so one connection setting it is enough. Foreign keys are on
  // by default in libsql; tests guard that.
  if (path) await client.execute("PRAGMA journal_mode = WAL");
  return drizzle(client, { schema });
}

/** A write transaction (BEGIN IMMEDIATE: the only kind this project uses, see ARCHITECTURE.md). */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Functions that may run inside a caller's transaction take either. */
export type DbOrTx = Db | Tx;
