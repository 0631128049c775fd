// `npm run build`: Astro builds the pages into dist/server and dist/client; esbuild bundles the server
// entry (our code only; packages stay in node_modules) into dist/main.mjs.
import { spawnSync } from "node:child_process";
import { build } from "esbuild";

const astro = spawnSync("npx", ["astro", "build"], {
  stdio: "inherit",
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" },
});
if (astro.status !== 0) process.exit(astro.status ?? 1);

await build({
  entryPoints: ["server/main.ts"],
  outfile: "dist/main.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
console.log("built dist/main.mjs");
