// Bulk loads (the scale seed) without the triggers that keep derived data: with millions of rows, bumping
// a rollup row or re-indexing a request per inserted row costs more than building once at the end. The
// triggers are dropped for the load, the rollups (migrations 0007 and 0009, whose weekly and four-weekly
// tiers are filled from 0007's daily ones) and the full-text search index (0008) rebuilt with the
// migrations' own backfill statements, and the triggers put back as they were, so the result is exactly
// what the triggers would have kept.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { defaultMigrationsFolder } from "./migrate";

const rollupTables = [
  "feedback_daily",
  "feedback_daily_keys",
  "feedback_weekly",
  "feedback_weekly_keys",
  "feedback_four_weekly_keys",
  "request_counts",
  "directory_counts",
];
/** The FTS5 indexes of requests, and the key that orders them (db/search.ts). */
const searchTables = ["request_search_active", "request_search_done"];
const keepsDerivedData = (sql: string) =>
  [...rollupTables, ...searchTables, "search_key"].some((t) => sql.includes(`\`${t}\``));

/**
 * The migration statements that fill the derived data from the rows there ("INSERT INTO `rollup` SELECT …",
 * "UPDATE `requests` SET `search_key` …"), in migration order: a coarser tier is filled from a finer one
 * already recounted.
 */
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
  return statements.filter(
    (s) => /^(INSERT INTO|UPDATE) `/.test(s) && keepsDerivedData(s.split("\n")[0]!),
  );
}

export async function withRollupsRebuilt<T>(client: Client, load: () => Promise<T>): Promise<T> {
  const rows = (await client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    .rows as unknown as { name: string; sql: string }[];
  const triggers = rows.filter((t) => keepsDerivedData(t.sql));
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
      for (const table of searchTables)
        await tx.execute(`INSERT INTO \`${table}\` (\`${table}\`) VALUES ('delete-all')`);
      for (const statement of backfill) await tx.execute(statement);
      for (const t of triggers) await tx.execute(t.sql);
      await tx.commit();
    } finally {
      tx.close();
    }
  }
}
