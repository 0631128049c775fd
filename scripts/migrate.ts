// `npm run db:migrate`: applies the committed migrations to the configured database and stops.
import { openDb } from "../db/client";
import { migrateDb } from "../db/migrate";
import { ConfigError, loadConfig, redactUrl } from "../server/config";

try {
  const config = loadConfig(process.env);
  const db = await openDb({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  await migrateDb(db);
  db.$client.close();
  console.log(`Migrated ${redactUrl(config.databaseUrl)}`);
} catch (error) {
  console.error(error instanceof ConfigError ? `Cannot migrate: ${error.message}` : error);
  process.exit(1);
}
