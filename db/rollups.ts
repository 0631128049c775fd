// Bulk loads (the scale seed) without the rollup triggers: with millions of rows, bumping a rollup row
// per inserted row costs more than counting once at the end. The triggers are dropped for the load,
// the rollups recounted with migration 0007's own backfill statements, and the triggers put back as
// they were, so the result is exactly what the triggers would have kept.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { defaultMigrationsFolder } from "./migrate";

const rollupTables = [
  "feedback_daily",
  "feedback_daily_keys",
  "request_counts",
  "directory_counts",
];
const writesRollup = (sql: string) => rollupTables.some((t) => sql.includes(`\`${t}\``));

/** The migration statements that fill the rollups from the rows there ("INSERT INTO `rollup` SELECT …"). */
function backfillStatements(): string[] {
  const statements = readdirSync(defaultMigrationsFolder)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) =>
      readFileSync(join(defaultMigrationsFolder, f), "utf8").split("--> statement-breakpoint"),
    )
    .map((s) =>
      s
        .split("\n")
        .filter((line) => !line.startsWith("--"))
        .join("\n")
        .trim(),
    );
  return statements.filter((s) => /^INSERT INTO `/.test(s) && writesRollup(s.split("\n")[0]!));
}

export async function withRollupsRebuilt<T>(client: Client, load: () => Promise<T>): Promise<T> {
  const rows = (await client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    .rows as unknown as { name: string; sql: string }[];
  const triggers = rows.filter((t) => writesRollup(t.sql));
  const backfill = backfillStatements();
  if (backfill.length === 0)
    throw new Error("No rollup backfill statements found in the migrations.");
  for (const t of triggers) await client.execute(`DROP TRIGGER \`${t.name}\``);
  try {
    return await load();
  } finally {
    // Whatever happened to the load, the database leaves with its rollups right and its triggers back.
    const tx = await client.transaction("write");
    try {
      for (const table of rollupTables) await tx.execute(`DELETE FROM \`${table}\``);
      for (const statement of backfill) await tx.execute(statement);
      for (const t of triggers) await tx.execute(t.sql);
      await tx.commit();
    } finally {
      tx.close();
    }
  }
}
