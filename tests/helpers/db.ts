// A real libSQL database file in a fresh temporary folder, with the real migrations applied.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "../../db/client";
import { migrateDb } from "../../db/migrate";

export interface TestDb {
  db: Db;
  url: string;
  dir: string;
  close(): void;
}

export async function createTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "tengsl-test-"));
  const url = `file:${join(dir, "test.db")}`;
  const db = await openDb({ url });
  await migrateDb(db);
  return {
    db,
    url,
    dir,
    close() {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
