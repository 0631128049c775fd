import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultMigrationsFolder } from "../../db/migrate";

/**
 * A folder in `dir` with the committed migrations up to and including `lastTag` and the journal cut
 * there: what a database of an earlier release was migrated with.
 */
export function migrationsUpTo(dir: string, lastTag: string): string {
  const folder = join(dir, "previous-migrations");
  mkdirSync(join(folder, "meta"), { recursive: true });
  const journal = JSON.parse(
    readFileSync(join(defaultMigrationsFolder, "meta/_journal.json"), "utf8"),
  ) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  if (last < 0) throw new Error(`${lastTag} is not in the migrations' journal`);
  journal.entries = journal.entries.slice(0, last + 1);
  for (const { tag } of journal.entries) {
    cpSync(join(defaultMigrationsFolder, `${tag}.sql`), join(folder, `${tag}.sql`));
  }
  writeFileSync(join(folder, "meta/_journal.json"), JSON.stringify(journal));
  return folder;
}
