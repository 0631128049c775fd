// `npm run build`: Astro builds the pages into dist/server and dist/client; esbuild bundles the server
// entry (our code only; packages stay in node_modules) into dist/main.mjs.
import { spawnSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { basename } from "node:path";
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
// The SQLite threads run as a file of their own beside the server (db/sqlite-thread.ts finds it there).
copyFileSync("db/sqlite-worker.mjs", "dist/sqlite-worker.mjs");
console.log("built dist/main.mjs");

// The widget: a tiny classic-script loader and the panel it imports on first interaction. The panel's
// name carries a hash of its content, so the server can let browsers keep it for a year (immutable);
// the loader, whose URL companies paste, learns the name at build time.
const shared = {
  bundle: true,
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  target: "es2020",
};
rmSync("dist/widget", { recursive: true, force: true });
const panel = await build({
  ...shared,
  entryPoints: { panel: "widget/panel/index.tsx" },
  outdir: "dist/widget",
  entryNames: "[name]-[hash]",
  metafile: true,
  format: "esm",
  jsx: "automatic",
  jsxImportSource: "preact",
  loader: { ".css": "text" },
});
const panelFile = basename(Object.keys(panel.metafile.outputs)[0]);
await build({
  ...shared,
  entryPoints: ["widget/loader.ts"],
  outfile: "dist/widget/loader.js",
  // A classic script all the same: the source is its own IIFE with no import or export, and "iife" would
  // wrap it a second time, 11 bytes gzipped that the loader's 1 KB budget cannot spare.
  format: "esm",
  define: { __PANEL_FILE__: JSON.stringify(panelFile) },
});
const { widgetSizes, WIDGET_BUDGETS } = await import("./widget-sizes.mjs");
const sizes = widgetSizes();
for (const [file, bytes] of Object.entries(sizes)) {
  const budget = WIDGET_BUDGETS[file];
  console.log(
    `widget ${file}: ${(bytes / 1024).toFixed(2)} KB gzipped (budget ${(budget / 1024).toFixed(0)} KB)${bytes > budget ? "  OVER BUDGET" : ""}`,
  );
}
