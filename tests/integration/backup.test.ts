// Backup and restore as an operator uses them: `npm run backup` while something writes to the database,
// `npm run restore` into a fresh location, and every refusal leaving things as they were.
import { spawn, execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient, type Client } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backupDatabase, restoreDatabase } from "../../db/backup";
import { seedDemo } from "../../db/seed/demo";
import { createTestDb, type TestDb } from "../helpers/db";

const run = promisify(execFile);
let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

async function npmScript(script: "backup" | "restore", file: string, databaseUrl: string) {
  try {
    const { stdout } = await run(
      process.execPath,
      ["node_modules/.bin/tsx", `scripts/${script}.ts`, file],
      {
        env: { ...process.env, DATABASE_URL: databaseUrl },
      },
    );
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function tableRows(client: Client) {
  const tables = await client.execute(
    "select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
  );
  const all = tables.rows as unknown as { name: string; sql: string }[];
  // Full-text indexes are compared by the documents they hold; their shadow tables are their business
  // (contentless ones keep 64-bit counters no JavaScript number holds).
  const indexes = all.filter((t) => t.sql.startsWith("CREATE VIRTUAL TABLE")).map((t) => t.name);
  const result: Record<string, unknown[]> = {};
  for (const { name } of all) {
    if (indexes.some((index) => name.startsWith(`${index}_`))) continue;
    const columns = indexes.includes(name) ? "rowid" : "*";
    // Compared as sorted JSON: not every table has a rowid to order by.
    result[name] = (await client.execute(`select ${columns} from "${name}"`)).rows
      .map((r) => JSON.stringify(r))
      .sort();
  }
  return result;
}

/** Another process inserting numbered rows one commit at a time, as fast as it can, until stopped. */
function startWriter(url: string) {
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { createClient } from "@libsql/client";
       const c = createClient({ url: process.env.URL, timeout: 5000 });
       let n = 0, stop = false;
       process.on("SIGTERM", () => (stop = true));
       while (!stop) {
         await c.execute({ sql: "insert into rate_limits (key, window_start, count) values (?, 0, 1)", args: ["w-" + n] });
         n++;
         if (n % 20 === 0) await new Promise((r) => setImmediate(r));
       }
       console.log(n);`,
    ],
    { env: { ...process.env, URL: url }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      return Number(out.trim());
    },
  };
}

const seedEnv = () => ({
  filesDir: join(t.dir, "files"),
  publicUrl: new URL("http://localhost:4321"),
  demoPort: 0,
});

const writtenKeys = async (client: Client) =>
  (await client.execute("select key from rate_limits where key like 'w-%'")).rows.map((r) =>
    Number((r.key as string).slice(2)),
  );

describe("npm run backup and npm run restore", () => {
  it("copy a database that is being written to, and restore it into a fresh place with everything in it", async () => {
    await seedDemo(t.db, seedEnv());
    const writer = startWriter(t.url);
    while ((await writtenKeys(t.db.$client)).length < 200)
      await new Promise((r) => setTimeout(r, 20));

    const backup = join(t.dir, "backup.db");
    const made = await npmScript("backup", backup, t.url);
    expect(made.out).toMatch(/Backed up to .*backup\.db \(\d+ KB, \d+ bytes\)/);
    expect(made.code).toBe(0);
    const written = await writer.stop();

    const again = await npmScript("backup", backup, t.url);
    expect(again.code).toBe(1);
    expect(again.out).toContain("exists already");

    // Restored into a fresh place; then a later backup restored over it, which keeps the first aside.
    // (Nothing in this process opens the restored file before that: libsql holds closed connections'
    // locks until they are collected, and the restore would rightly see the database as in use.)
    const freshUrl = `file:${join(t.dir, "fresh", "place", "tengsl.db")}`;
    const restored = await npmScript("restore", backup, freshUrl);
    expect(restored.out).toContain("Restored");
    expect(restored.code).toBe(0);
    const later = join(t.dir, "later.db");
    expect((await npmScript("backup", later, t.url)).code).toBe(0);
    const replaced = await npmScript("restore", later, freshUrl);
    expect(replaced.code).toBe(0);
    const aside = /kept as (\S+)\./.exec(replaced.out)?.[1];
    expect(aside).toMatch(/tengsl\.db\.replaced-\d{4}-\d\d-\d\dT[\d-]+Z$/);

    const [first, second] = [
      createClient({ url: `file:${aside}` }),
      createClient({ url: freshUrl }),
    ];
    try {
      // The first copy is one moment of the database: every row the writer had committed up to some
      // point, none missing in between, and everything else exactly as in the live database.
      const keys = (await writtenKeys(first)).sort((a, b) => a - b);
      expect(keys.length).toBeGreaterThanOrEqual(200);
      expect(keys.length).toBeLessThanOrEqual(written);
      expect(keys).toEqual(keys.map((_, i) => i));
      const live = await tableRows(t.db.$client);
      const restoredRows = await tableRows(first);
      expect(Object.keys(restoredRows)).toEqual(Object.keys(live));
      for (const table of Object.keys(live)) {
        if (table === "rate_limits") continue;
        expect(restoredRows[table], table).toEqual(live[table]);
      }
      expect(live.users!.length).toBeGreaterThan(0);
      expect(live.orders!.length).toBeGreaterThan(0);
      expect(live.requests!.length).toBeGreaterThan(0);
      // The later backup, taken after the writer stopped, has all of its rows.
      expect((await writtenKeys(second)).length).toBe(written);
    } finally {
      first.close();
      second.close();
    }
  });

  it("refuse what would lose or damage data, and change nothing", async () => {
    const backup = join(t.dir, "backup.db");
    await backupDatabase(t.url, backup);
    const listing = () => readdirSync(t.dir).sort();
    const before = listing();
    const size = statSync(backup).size;

    // The server (here: this test's open connection) still has the database open.
    await expect(restoreDatabase(t.url, backup)).rejects.toThrow(/in use: stop the Tengsl server/);
    await expect(backupDatabase(t.url, backup)).rejects.toThrow(/exists already/);
    expect(statSync(backup).size).toBe(size);

    const notSqlite = join(t.dir, "notes.db");
    writeFileSync(notSqlite, "just some text, long enough to look like a file ".repeat(100));
    await expect(restoreDatabase(t.url, notSqlite)).rejects.toThrow(
      /not a readable SQLite database/,
    );
    const otherDb = join(t.dir, "other.db");
    const other = createClient({ url: `file:${otherDb}` });
    await other.execute("create table things (id integer)");
    other.close();
    await expect(restoreDatabase(t.url, otherDb)).rejects.toThrow(/not a Tengsl database/);
    await expect(restoreDatabase(t.url, join(t.dir, "missing.db"))).rejects.toThrow(/no backup at/);
    await expect(backupDatabase(t.url, join(t.dir, "no", "such", "x.db"))).rejects.toThrow(
      /folder/,
    );

    for (const url of ["libsql://tengsl-acme.turso.io", "https://db.example.com"]) {
      await expect(backupDatabase(url, join(t.dir, "remote.db"))).rejects.toThrow(/Turso/);
      await expect(restoreDatabase(url, backup)).rejects.toThrow(/own backups/);
    }
    expect(listing()).toEqual([...before, "notes.db", "other.db"].sort());
    expect(readFileSync(notSqlite, "utf8")).toContain("just some text");
    expect(existsSync(join(t.dir, "remote.db"))).toBe(false);
  });
});
