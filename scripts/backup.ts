// `npm run backup -- FILE`: a consistent copy of the configured database, taken while the server runs.
import { backupDatabase, BackupError } from "../db/backup";
import { ConfigError, loadConfig } from "../server/config";

const target = process.argv[2];
try {
  if (!target) throw new BackupError("Name the backup file: npm run backup -- FILE");
  const { databaseUrl } = loadConfig(process.env);
  const { file, bytes } = await backupDatabase(databaseUrl, target);
  console.log(`Backed up to ${file} (${(bytes / 1024).toFixed(0)} KB, ${bytes} bytes).`);
} catch (error) {
  if (!(error instanceof BackupError || error instanceof ConfigError)) throw error;
  console.error(`No backup made: ${error.message}`);
  process.exit(1);
}
