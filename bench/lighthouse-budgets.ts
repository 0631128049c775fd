// The arithmetic of `npm run bench:lighthouse`, apart from Chromium so that it can be unit-tested: the
// budgets' shape, medians over runs, the widget's cost as a difference of two pages, and the verdict.
import { z } from "zod";

export const lighthouseBudgets = z.strictObject({
  /** Category scores (0–100) every measured page must reach. */
  minPerformance: z.number().min(0).max(100),
  minAccessibility: z.number().min(0).max(100),
  /** What the widget may add to the product page, compared with the same page without the snippet. */
  widgetMaxTbtDeltaMs: z.number().min(0),
  widgetMaxClsDelta: z.number().min(0),
});
export type LighthouseBudgets = z.infer<typeof lighthouseBudgets>;

/** Reads the "lighthouse" key of bench/budgets.json; other keys belong to other benchmarks. */
export function parseBudgets(file: unknown): LighthouseBudgets {
  const parsed = z.object({ lighthouse: lighthouseBudgets }).safeParse(file);
  if (!parsed.success)
    throw new Error(
      `bench/budgets.json: bad "lighthouse" budgets: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data.lighthouse;
}

/** One Lighthouse run of one page: scores 0–100, times in ms, CLS unitless. */
export interface RunMetrics {
  performance: number;
  accessibility: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  /** Main-thread time of the widget's scripts (evaluation and parsing), 0 on a page without them. */
  widgetMainThreadMs: number;
  /** Long tasks (≥ 50 ms) attributed to the widget's scripts. */
  widgetLongTasks: number;
}
const metricKeys = [
  "performance",
  "accessibility",
  "fcpMs",
  "lcpMs",
  "tbtMs",
  "cls",
  "widgetMainThreadMs",
  "widgetLongTasks",
] as const satisfies readonly (keyof RunMetrics)[];

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  if (values.some((v) => !Number.isFinite(v))) throw new Error("median of a non-finite value");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each metric's median over the runs, taken apart: one noisy run moves none of them. */
export function medianRun(runs: readonly RunMetrics[]): RunMetrics {
  return Object.fromEntries(
    metricKeys.map((key) => [key, median(runs.map((r) => r[key]))]),
  ) as unknown as RunMetrics;
}

export interface PageResult {
  /** A short name for the report, such as "/orders". */
  name: string;
  url: string;
  runs: RunMetrics[];
  median: RunMetrics;
  /** Accessibility audits that failed in any run, by id, so a missed 100 says what to fix. */
  accessibilityFailures: string[];
}

export interface WidgetCost {
  tbtDeltaMs: number;
  clsDelta: number;
  mainThreadMs: number;
  longTasks: number;
}

/** What the snippet costs the host page: the page with it against the same page without it. */
export function widgetCost(withWidget: RunMetrics, without: RunMetrics): WidgetCost {
  return {
    // A page cannot gain from the widget: a negative difference is noise, and reads as no cost.
    tbtDeltaMs: Math.max(0, withWidget.tbtMs - without.tbtMs),
    clsDelta: Math.max(0, round(withWidget.cls - without.cls, 4)),
    mainThreadMs: withWidget.widgetMainThreadMs,
    longTasks: withWidget.widgetLongTasks,
  };
}

/** The widget's files, gzipped, with the budgets scripts/widget-sizes.mjs keeps for them. */
export type WidgetSizes = Record<string, { gzipBytes: number; budgetBytes: number }>;

/** The budgets missed, one sentence each naming it; empty when all hold. */
export function missedBudgets(
  budgets: LighthouseBudgets,
  pages: readonly PageResult[],
  widget: WidgetCost,
  sizes: WidgetSizes,
): string[] {
  const missed: string[] = [];
  for (const page of pages) {
    const m = page.median;
    if (m.performance < budgets.minPerformance)
      missed.push(`${page.name}: performance ${m.performance} < ${budgets.minPerformance}`);
    if (m.accessibility < budgets.minAccessibility)
      missed.push(
        `${page.name}: accessibility ${m.accessibility} < ${budgets.minAccessibility}` +
          (page.accessibilityFailures.length ? ` (${page.accessibilityFailures.join(", ")})` : ""),
      );
  }
  if (widget.tbtDeltaMs > budgets.widgetMaxTbtDeltaMs)
    missed.push(
      `widget: adds ${widget.tbtDeltaMs} ms total blocking time > ${budgets.widgetMaxTbtDeltaMs} ms`,
    );
  if (widget.clsDelta > budgets.widgetMaxClsDelta)
    missed.push(`widget: adds layout shift ${widget.clsDelta} > ${budgets.widgetMaxClsDelta}`);
  for (const [file, s] of Object.entries(sizes))
    if (s.gzipBytes > s.budgetBytes)
      missed.push(`widget: ${file} is ${s.gzipBytes} bytes gzipped > ${s.budgetBytes}`);
  return missed;
}

export function markdownReport(
  pages: readonly PageResult[],
  widget: WidgetCost,
  sizes: WidgetSizes,
): string {
  const lines = [
    "| page | performance | accessibility | FCP ms | LCP ms | TBT ms | CLS |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...pages.map(
      ({ name, median: m }) =>
        `| ${name} | ${m.performance} | ${m.accessibility} | ${Math.round(m.fcpMs)} | ${Math.round(m.lcpMs)} | ${Math.round(m.tbtMs)} | ${m.cls} |`,
    ),
    "",
    "| widget | value |",
    "| --- | ---: |",
    `| total blocking time added | ${Math.round(widget.tbtDeltaMs)} ms |`,
    `| layout shift added (CLS) | ${widget.clsDelta} |`,
    `| main-thread time of its scripts | ${Math.round(widget.mainThreadMs)} ms |`,
    `| its long tasks | ${widget.longTasks} |`,
    ...Object.entries(sizes).map(
      ([file, s]) => `| ${file} gzipped | ${s.gzipBytes} bytes (budget ${s.budgetBytes}) |`,
    ),
  ];
  return lines.join("\n");
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
