// Applies the committed drizzle-kit migrations. Astro copies none of them into dist/, so the folder is
// found from the project root at run time.
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/libsql/migrator";
import type { Db } from "./client";

export const defaultMigrationsFolder = fileURLToPath(new URL("../db/migrations", import.meta.url));

export async function migrateDb(db: Db, migrationsFolder = defaultMigrationsFolder): Promise<void> {
  await migrate(db, { migrationsFolder });
}
