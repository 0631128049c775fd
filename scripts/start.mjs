// `npm start`: builds when the build is missing or older than the sources, then runs the server
// (which migrates, seeds an empty database and listens).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const sources = [
  "site",
  "server",
  "db/schema",
  "db/seed",
  "db/client.ts",
  "db/migrate.ts",
  "db/ids.ts",
  "scripts/build.mjs",
  "astro.config.mjs",
  "package-lock.json",
  "tsconfig.json",
];
const output = "dist/main.mjs";

function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const built = newest(output);
if (built === 0 || Math.max(...sources.map(newest)) > built) {
  console.log(
    built === 0 ? "No build yet: building…" : "Sources changed since the last build: building…",
  );
  const result = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error("The build failed; see above.");
    process.exit(result.status ?? 1);
  }
}

await import("../dist/main.mjs");
