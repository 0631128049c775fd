import { describe, expect, it } from "vitest";
import {
  markdownReport,
  median,
  medianRun,
  missedBudgets,
  parseBudgets,
  widgetCost,
  type LighthouseBudgets,
  type PageResult,
  type RunMetrics,
} from "./lighthouse-budgets";

const budgets: LighthouseBudgets = {
  minPerformance: 95,
  minAccessibility: 100,
  widgetMaxTbtDeltaMs: 10,
  widgetMaxClsDelta: 0,
};
const run = (over: Partial<RunMetrics> = {}): RunMetrics => ({
  performance: 100,
  accessibility: 100,
  fcpMs: 300,
  lcpMs: 300,
  tbtMs: 0,
  cls: 0,
  widgetMainThreadMs: 0,
  widgetLongTasks: 0,
  ...over,
});
const page = (name: string, m: RunMetrics, failures: string[] = []): PageResult => ({
  name,
  url: `http://127.0.0.1${name}`,
  runs: [m],
  median: m,
  accessibilityFailures: failures,
});
const sizes = {
  "loader.js": { gzipBytes: 1013, budgetBytes: 1024 },
  "panel.js": { gzipBytes: 10_750, budgetBytes: 14_336 },
};
const noCost = widgetCost(run(), run());

describe("median", () => {
  it("takes the middle of an odd count and the mean of the middle two of an even one", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7])).toBe(7);
  });

  it("does not reorder the values it is given", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("refuses no values and values that are not numbers", () => {
    expect(() => median([])).toThrow("median of no values");
    expect(() => median([1, Number.NaN, 3])).toThrow("non-finite");
  });
});

describe("medianRun", () => {
  it("takes each metric's median on its own, so one bad run moves none of them", () => {
    const m = medianRun([
      run({ performance: 99, tbtMs: 0, cls: 0 }),
      run({ performance: 62, tbtMs: 400, cls: 0.3 }),
      run({ performance: 98, tbtMs: 10, cls: 0 }),
    ]);
    expect(m).toMatchObject({ performance: 98, tbtMs: 10, cls: 0 });
  });
});

describe("widgetCost", () => {
  it("is the difference between the page with the widget and without it", () => {
    const cost = widgetCost(
      run({ tbtMs: 27, cls: 0.05, widgetMainThreadMs: 12, widgetLongTasks: 1 }),
      run({ tbtMs: 20, cls: 0.02 }),
    );
    expect(cost).toEqual({ tbtDeltaMs: 7, clsDelta: 0.03, mainThreadMs: 12, longTasks: 1 });
  });

  it("reads a page that got faster with the widget as no cost, not a negative one", () => {
    expect(widgetCost(run({ tbtMs: 5 }), run({ tbtMs: 9 })).tbtDeltaMs).toBe(0);
  });
});

describe("missedBudgets", () => {
  it("is empty when every page and the widget are within budget, exactly at the limits too", () => {
    const pages = [page("/", run({ performance: 95 })), page("/orders", run())];
    const cost = widgetCost(run({ tbtMs: 10 }), run({ tbtMs: 0 }));
    expect(missedBudgets(budgets, pages, cost, sizes)).toEqual([]);
  });

  it("names each page and score below its budget, with the failing accessibility audits", () => {
    const pages = [
      page("/", run({ performance: 94 })),
      page("/orders", run({ accessibility: 96 }), ["color-contrast", "label"]),
    ];
    expect(missedBudgets(budgets, pages, noCost, sizes)).toEqual([
      "/: performance 94 < 95",
      "/orders: accessibility 96 < 100 (color-contrast, label)",
    ]);
  });

  it("names the widget's blocking time, any layout shift it adds, and a file over its size budget", () => {
    const cost = widgetCost(run({ tbtMs: 31, cls: 0.001 }), run({ tbtMs: 20 }));
    const over = { ...sizes, "loader.js": { gzipBytes: 1025, budgetBytes: 1024 } };
    expect(missedBudgets(budgets, [], cost, over)).toEqual([
      "widget: adds 11 ms total blocking time > 10 ms",
      "widget: adds layout shift 0.001 > 0",
      "widget: loader.js is 1025 bytes gzipped > 1024",
    ]);
  });
});

describe("parseBudgets", () => {
  it("reads the lighthouse key and leaves other benchmarks' keys alone", () => {
    expect(parseBudgets({ lighthouse: budgets, server: { s1: { p99Ms: 50 } } })).toEqual(budgets);
  });

  it("refuses a missing key, a missing budget, an unknown budget and a score above 100", () => {
    expect(() => parseBudgets({})).toThrow('bad "lighthouse" budgets');
    const { minPerformance: _, ...short } = budgets;
    expect(() => parseBudgets({ lighthouse: short })).toThrow("minPerformance");
    expect(() => parseBudgets({ lighthouse: { ...budgets, maxLcp: 1 } })).toThrow("maxLcp");
    expect(() => parseBudgets({ lighthouse: { ...budgets, minPerformance: 101 } })).toThrow(
      "minPerformance",
    );
  });
});

describe("markdownReport", () => {
  it("has a row per page and the widget's cost and sizes", () => {
    const table = markdownReport([page("/orders", run({ tbtMs: 12.4 }))], noCost, sizes);
    expect(table).toContain("| /orders | 100 | 100 | 300 | 300 | 12 | 0 |");
    expect(table).toContain("| total blocking time added | 0 ms |");
    expect(table).toContain("| loader.js gzipped | 1013 bytes (budget 1024) |");
  });
});
