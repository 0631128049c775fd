// `npm run seed:scale [-- --scale 0.1 --seed 7 --orders 50000 --force]`: fills a fresh database (by default
// data/scale.db, never the demo one) with db/seed/scale.ts and writes what the benchmark needs beside it.
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { filePathOf, openDb } from "../db/client";
import { migrateDb } from "../db/migrate";
import {
  isEmptyForScale,
  plannedCounts,
  seedScale,
  type Counts,
  type Progress,
} from "../db/seed/scale";

const DEFAULT_URL = "file:data/scale.db";
const tables: (keyof Counts)[] = [
  "accounts",
  "users",
  "orders",
  "requests",
  "messages",
  "feedback",
];

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      scale: { type: "string" },
      seed: { type: "string" },
      force: { type: "boolean", default: false },
      ...Object.fromEntries(tables.map((t) => [t, { type: "string" as const }])),
    },
    strict: true,
  });
  const number = (name: string, value: string | undefined, min: number, max: number) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new UsageError(`--${name} must be a number from ${min} to ${max}, not "${value}"`);
    return n;
  };
  const whole = (name: string, value: string | undefined) => {
    const n = number(name, value, 0, 100_000_000);
    if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`--${name} must be whole`);
    return n;
  };
  const counts: Partial<Counts> = {};
  for (const t of tables) {
    const n = whole(t, (values as Record<string, unknown>)[t] as string | undefined);
    if (n !== undefined) counts[t] = n;
  }
  return {
    scale: number("scale", values.scale, 0.00001, 10) ?? 1,
    seed: whole("seed", values.seed) ?? 1,
    force: values.force === true,
    counts,
  };
}

/** A bar on a terminal; a plain line every ten seconds in a log. */
function progressPrinter(start: number) {
  const tty = process.stdout.isTTY;
  let last = 0;
  let lastRows = 0;
  let lastAt = start;
  let rate = 0;
  return {
    update(p: Progress) {
      const t = Date.now();
      if (t - lastAt >= 1000) {
        rate = ((p.rows - lastRows) * 1000) / (t - lastAt);
        lastRows = p.rows;
        lastAt = t;
      }
      if (!tty && t - last < 10_000) return;
      last = t;
      const share = p.total ? p.done / p.total : 1;
      const line = `${p.phase.padEnd(8)} ${p.done.toLocaleString("en")}/${p.total.toLocaleString("en")} · ${Math.round(rate).toLocaleString("en")} rows/s · ${((t - start) / 1000).toFixed(0)} s`;
      if (tty) {
        const width = 30;
        const filled = Math.round(share * width);
        process.stdout.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${line}   `);
      } else console.log(line);
    },
    done() {
      if (tty) process.stdout.write("\n");
    },
  };
}

async function main() {
  const opts = options();
  const url = process.env.DATABASE_URL || DEFAULT_URL;
  const path = filePathOf(url);
  if (opts.force && path && existsSync(path)) {
    for (const suffix of ["", "-wal", "-shm", ".scale.json"])
      rmSync(path + suffix, { force: true });
  }
  const db = await openDb({ url, authToken: process.env.DATABASE_AUTH_TOKEN });
  try {
    await migrateDb(db);
    if (!(await isEmptyForScale(db))) {
      throw new UsageError(
        `${url} already holds data. Seed a fresh database (DATABASE_URL=file:data/other.db) or pass --force to replace this file${path ? "" : " (only files can be replaced)"}.`,
      );
    }
    const planned = plannedCounts(opts.scale, opts.counts);
    console.log(
      `Seeding ${url} (seed ${opts.seed}): ${tables.map((t) => `${planned[t].toLocaleString("en")} ${t}`).join(", ")}`,
    );
    const start = Date.now();
    const bar = progressPrinter(start);
    const { counts, phases, bench } = await seedScale(db, url, {
      scale: opts.scale,
      counts: opts.counts,
      seed: opts.seed,
      onProgress: (p) => bar.update(p),
    });
    bar.done();
    const seconds = (Date.now() - start) / 1000;
    const fts = await db.$client.execute(
      "SELECT (SELECT count(*) FROM request_search_active) + (SELECT count(*) FROM request_search_done) AS n",
    );
    if (path) await db.$client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    const bytes = path ? statSync(path).size : null;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);

    const rows: [string, string][] = Object.entries(counts).map(([t, n]) => [
      t,
      n.toLocaleString("en"),
    ]);
    rows.push(["requests in the search index", Number(fts.rows[0]!.n).toLocaleString("en")]);
    rows.push(["all rows written", total.toLocaleString("en")]);
    for (const [phase, s] of Object.entries(phases)) rows.push([`seconds: ${phase}`, s.toFixed(1)]);
    rows.push(["seconds", seconds.toFixed(1)]);
    rows.push(["rows/s", Math.round(total / seconds).toLocaleString("en")]);
    rows.push(["database MB", bytes === null ? "n/a (server)" : (bytes / 1e6).toFixed(0)]);
    console.log("\n| table | rows |\n| --- | ---: |");
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);

    const info = {
      url,
      ...bench,
      counts,
      phases,
      seconds: Number(seconds.toFixed(1)),
      rowsPerSecond: Math.round(total / seconds),
      databaseBytes: bytes,
      siteRateLimit:
        "The widget door limits each IP to WIDGET_RATE_PER_10_MINUTES submissions (default 20); start the server with WIDGET_RATE_PER_10_MINUTES=9999999 for a load test.",
    };
    const jsonFile = path ? `${path}.scale.json` : "data/scale.scale.json";
    writeFileSync(jsonFile, `${JSON.stringify(info, null, 2)}\n`);
    console.log(`\nFor the benchmark (also in ${jsonFile}):`);
    console.log(
      `  big business account  ${bench.bigAccount.name} (${bench.bigAccount.id}), ${bench.bigAccount.orders.toLocaleString("en")} orders`,
    );
    console.log(`  its customer          ${bench.bigAccount.customerEmail} / ${bench.password}`);
    console.log(`  agent                 ${bench.agentEmail} / ${bench.password}`);
    console.log(
      `  admin                 ${bench.admin.email} / ${bench.password}, TOTP key ${bench.admin.totpSecret}`,
    );
    console.log(`  widget site           ${bench.site.name}, public key ${bench.site.publicKey}`);
    console.log(`  API key               ${bench.apiKey.key}`);
    console.log(
      `  search terms          ${bench.searchTerms.map((s) => `${s.term} (${s.rows})`).join(", ")}`,
    );
  } finally {
    db.$client.close();
  }
}

try {
  await main();
} catch (error) {
  if (!(
    error instanceof UsageError ||
    (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
  ))
    throw error;
  console.error(`No data seeded: ${(error as Error).message}`);
  process.exit(1);
}
