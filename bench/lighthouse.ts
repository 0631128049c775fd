// `npm run bench:lighthouse`: Lighthouse, driving Debian's Chromium, against the built server with the demo
// data: `/`, `/orders` signed in, and the demo product page with and without the widget, several runs each.
// Writes bench/results/lighthouse.json, prints a Markdown table, and exits 1 naming any missed budget.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { WIDGET_BUDGETS, widgetSizes } from "../scripts/widget-sizes.mjs";
import { startServer } from "../tests/helpers/server";
import {
  markdownReport,
  medianRun,
  missedBudgets,
  parseBudgets,
  widgetCost,
  type PageResult,
  type RunMetrics,
  type WidgetSizes,
} from "./lighthouse-budgets";

const RUNS = Number(process.env.LH_RUNS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CUSTOMER = "jon@nordurljos.example.com";
const WIDGET_URL = "/widget/v1/";

// Lighthouse's desktop preset (see docs/decisions/021-lighthouse-bench-and-asset-caching.md), with script
// main-thread time listed for every script: by default scripts under 50 ms, such as the widget's, are left out.
const config = {
  ...desktopConfig,
  audits: [{ path: "bootup-time", options: { thresholdInMs: 0 } }],
};

if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50)
  throw new Error(`LH_RUNS must be a whole number from 1 to 50, not ${process.env.LH_RUNS}`);
const budgets = parseBudgets(JSON.parse(readFileSync("bench/budgets.json", "utf8")));

/** Signs the demo customer in through the real form and returns the Cookie header it earned. */
async function signIn(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams({ email, password: "tengsl-demo" }),
  });
  const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]!);
  if (res.status !== 303 || cookies.length === 0)
    throw new Error(`Signing ${email} in answered ${res.status} without a session cookie.`);
  return cookies.join("; ");
}

type Lhr = NonNullable<Awaited<ReturnType<typeof lighthouse>>>["lhr"];
interface Item {
  url?: string;
  total?: number;
  duration?: number;
}
const items = (lhr: Lhr, audit: string): Item[] => {
  const details = lhr.audits[audit]?.details as { items?: Item[] } | undefined;
  return details?.items ?? [];
};
const numeric = (lhr: Lhr, audit: string): number => {
  const value = lhr.audits[audit]?.numericValue;
  if (value === undefined)
    throw new Error(`Lighthouse gave no ${audit} for ${lhr.finalDisplayedUrl}`);
  return value;
};
const score = (lhr: Lhr, category: string) =>
  Math.round((lhr.categories[category]?.score ?? 0) * 100);

function metricsOf(lhr: Lhr): RunMetrics {
  const isWidget = (item: Item) => item.url?.includes(WIDGET_URL) ?? false;
  return {
    performance: score(lhr, "performance"),
    accessibility: score(lhr, "accessibility"),
    fcpMs: numeric(lhr, "first-contentful-paint"),
    lcpMs: numeric(lhr, "largest-contentful-paint"),
    tbtMs: numeric(lhr, "total-blocking-time"),
    cls: numeric(lhr, "cumulative-layout-shift"),
    widgetMainThreadMs: items(lhr, "bootup-time")
      .filter(isWidget)
      .reduce((sum, i) => sum + (i.total ?? 0), 0),
    widgetLongTasks: items(lhr, "long-tasks").filter(isWidget).length,
  };
}

function accessibilityFailures(lhr: Lhr): string[] {
  return (lhr.categories.accessibility?.auditRefs ?? [])
    .filter((ref) => {
      const audit = lhr.audits[ref.id];
      return (
        ref.weight > 0 && audit?.score !== null && audit?.score !== undefined && audit.score < 1
      );
    })
    .map((ref) => ref.id);
}

const server = await startServer({}, { enrolAdmin: false });
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
let exitCode = 0;
try {
  const cookie = await signIn(server.url, CUSTOMER);
  const targets: { name: string; url: string; headers: Record<string, string> }[] = [
    { name: "/", url: `${server.url}/`, headers: {} },
    { name: "/orders", url: `${server.url}/orders`, headers: { Cookie: cookie } },
    { name: "product page, widget", url: `${server.demoUrl}/?plain`, headers: {} },
    { name: "product page, no widget", url: `${server.demoUrl}/?plain&nowidget`, headers: {} },
  ];
  const runs = new Map<string, RunMetrics[]>(targets.map((t) => [t.name, []]));
  const failures = new Map<string, Set<string>>(targets.map((t) => [t.name, new Set()]));
  // Round by round rather than page by page, so a slow moment of the shared machine hits every page.
  for (let round = 1; round <= RUNS; round++) {
    for (const target of targets) {
      const lhr = await audit(target.url, target.headers);
      if (target.name === "/orders" && !lhr.finalDisplayedUrl.endsWith("/orders"))
        throw new Error(`/orders was not shown signed in (ended on ${lhr.finalDisplayedUrl}).`);
      runs.get(target.name)!.push(metricsOf(lhr));
      for (const id of accessibilityFailures(lhr)) failures.get(target.name)!.add(id);
    }
    process.stderr.write(`lighthouse: round ${round} of ${RUNS} done\n`);
  }

  const pages: PageResult[] = targets.map((t) => ({
    name: t.name,
    url: t.url,
    runs: runs.get(t.name)!,
    median: medianRun(runs.get(t.name)!),
    accessibilityFailures: [...failures.get(t.name)!],
  }));
  const widget = widgetCost(pages[2]!.median, pages[3]!.median);
  const gzip = widgetSizes();
  const sizes: WidgetSizes = Object.fromEntries(
    Object.entries(WIDGET_BUDGETS).map(([file, budgetBytes]) => [
      file,
      { gzipBytes: gzip[file]!, budgetBytes },
    ]),
  );
  const missed = missedBudgets(budgets, pages, widget, sizes);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/lighthouse.json",
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        preset: "desktop",
        runsPerPage: RUNS,
        chromium: await chromeVersion(chrome.port),
        budgets,
        pages: pages.map(({ url, ...page }) => ({
          ...page,
          url: new URL(url).pathname + new URL(url).search,
        })),
        widget: { ...widget, sizes },
        missed,
      },
      null,
      2,
    )}\n`,
  );
  console.log(markdownReport(pages, widget, sizes));
  console.log(`\nMedians of ${RUNS} runs each, Lighthouse desktop preset.`);
  if (missed.length) {
    console.log(`\nMissed budgets:\n${missed.map((m) => `- ${m}`).join("\n")}`);
    exitCode = 1;
  } else console.log("\nAll Lighthouse budgets hold.");
} finally {
  chrome.kill();
  await server.stop();
}
process.exit(exitCode);

/** One Lighthouse run; a run whose trace Chromium failed to record (NO_NAVSTART, now and then) is redone once. */
async function audit(url: string, headers: Record<string, string>, retry = true): Promise<Lhr> {
  const result = await lighthouse(
    url,
    {
      port: chrome.port,
      logLevel: "error",
      output: "json",
      onlyCategories: ["performance", "accessibility"],
      extraHeaders: headers,
    },
    config,
  );
  const lhr = result?.lhr;
  if (lhr && !lhr.runtimeError) return lhr;
  if (retry) return audit(url, headers, false);
  throw new Error(`Lighthouse failed on ${url}: ${lhr?.runtimeError?.message ?? "no result"}`);
}

async function chromeVersion(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/json/version`);
  return ((await res.json()) as { Browser?: string }).Browser ?? "unknown";
}
