// `npm run restore -- FILE`: puts a backup in place of the configured database (the server stopped).
import { BackupError, restoreDatabase } from "../db/backup";
import { ConfigError, loadConfig } from "../server/config";

const source = process.argv[2];
try {
  if (!source) throw new BackupError("Name the backup file: npm run restore -- FILE");
  const { databaseUrl } = loadConfig(process.env);
  const { target, keptAside, bytes, migrations } = await restoreDatabase(databaseUrl, source);
  console.log(
    `Restored ${target} from ${source} (${(bytes / 1024).toFixed(0)} KB, ${migrations} migrations applied in it).`,
  );
  if (keptAside) console.log(`The database it replaced is kept as ${keptAside}.`);
  console.log("Start the server: it applies any newer migrations.");
} catch (error) {
  if (!(error instanceof BackupError || error instanceof ConfigError)) throw error;
  console.error(`Nothing restored: ${error.message}`);
  process.exit(1);
}
