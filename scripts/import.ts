// `npm run import -- <file.csv>…`: a first bulk load of customers and orders from CSV files, with the
// ingest API's validation. Prints progress, then what was created, updated and skipped (and why).
import { openDb } from "../db/client";
import { migrateDb } from "../db/migrate";
import { importCsv, requiredColumns, type ImportSummary } from "../server/ingest/csv-import";
import { ConfigError, loadConfig, redactUrl } from "../server/config";

const files = process.argv.slice(2).filter((a) => a !== "--");
if (files.length === 0 || files.includes("--help")) {
  console.log(`Usage: npm run import -- customers.csv orders.csv

Loads customers and orders into DATABASE_URL (default file:data/tengsl.db) with the same validation as
the ingest API. Import customers before their orders. A file's columns say what it holds:

  customers: ${requiredColumns.customers.join(", ")}
             optional contactEmail, contactName, contactIsAdmin (one row per contact)
  orders:    ${requiredColumns.orders.join(", ")}
             optional shipping, tax, discount, placedByEmail, placedByName,
             shipName, shipLine1, shipLine2, shipPostalCode, shipCity, shipCountry,
             carrier, trackingNumber, shipmentStatus, shippedAt, deliveredAt
             (one row per item; rows with the same externalId are one order)

Amounts are integer minor units; times are ISO 8601 with an offset, or epoch milliseconds.`);
  process.exit(files.length === 0 ? 1 : 0);
}

try {
  const config = loadConfig(process.env);
  const db = await openDb({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  await migrateDb(db);
  console.log(`Importing into ${redactUrl(config.databaseUrl)}`);
  let failed = false;
  for (const file of files) {
    const started = Date.now();
    const summary = await importCsv(db, file, progressBar(file));
    report(file, summary, Date.now() - started);
    failed ||= summary.skipped.length > 0;
  }
  db.$client.close();
  process.exit(failed ? 2 : 0);
} catch (error) {
  console.error(
    error instanceof ConfigError
      ? `Cannot import: ${error.message}`
      : `Import stopped: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

function progressBar(file: string) {
  let lastShown = -1;
  return (done: number, total: number) => {
    const percent = Math.floor((done / total) * 100);
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(
        `\r${file} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${percent}% ${done}/${total}`,
      );
      if (done === total) process.stderr.write("\n");
    } else if (percent >= lastShown + 10 || done === total) {
      lastShown = percent;
      process.stderr.write(`${file}: ${percent}% (${done}/${total})\n`);
    }
  };
}

function report(file: string, s: ImportSummary, ms: number) {
  console.log(
    `${file}: ${s.records} ${s.kind} in ${(ms / 1000).toFixed(1)} s: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.ignored} ignored as older, ${s.skipped.length} skipped`,
  );
  for (const skip of s.skipped)
    console.log(`  skipped line ${skip.line} (${skip.id || "no externalId"}): ${skip.reason}`);
}
