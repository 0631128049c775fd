// The widget's cost to a host page, gzipped, and its budgets: the loader is fetched on every page view,
// the panel only when a visitor reaches for the widget (issue 5).
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const WIDGET_BUDGETS = { "loader.js": 1024, "panel.js": 14 * 1024 };
export const WIDGET_TOTAL_BUDGET = 15 * 1024;

/** The built file of each widget file: the panel's name carries a hash of its content (panel-HASH.js). */
export function widgetFile(file) {
  if (file === "loader.js") return "loader.js";
  const built = readdirSync("dist/widget").filter((f) => /^panel-\w+\.js$/.test(f));
  if (built.length !== 1)
    throw new Error(`expected one dist/widget/panel-*.js, found ${built.length}`);
  return built[0];
}

export function widgetSizes() {
  return Object.fromEntries(
    Object.keys(WIDGET_BUDGETS).map((file) => [
      file,
      gzipSync(readFileSync(`dist/widget/${widgetFile(file)}`), { level: 9 }).length,
    ]),
  );
}
