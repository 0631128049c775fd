// The widget's cost to a host page, gzipped, and its budgets: the loader is fetched on every page view,
// the panel only when a visitor reaches for the widget (issue 5).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const WIDGET_BUDGETS = { "loader.js": 1024, "panel.js": 14 * 1024 };
export const WIDGET_TOTAL_BUDGET = 15 * 1024;

export function widgetSizes() {
  return Object.fromEntries(
    Object.keys(WIDGET_BUDGETS).map((file) => [
      file,
      gzipSync(readFileSync(`dist/widget/${file}`), { level: 9 }).length,
    ]),
  );
}
