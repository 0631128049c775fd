// `npm run bench`: floors F0–F2, then scenarios S1–S6 against the built server on a scale database, on
// loopback, with autocannon; compares them with bench/budgets.json and exits non-zero naming each miss.
// Options: --only S1,S4 · --duration 10 (seconds per run) · --workers 2 · --db file:… · --out FILE
// · --connections 10 · --no-budgets (smoke test) · --cpu-prof DIR (profile the server while it runs).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { readFixture } from "./lib/fixture";
import {
  buildScenarios,
  floorScenarios,
  preflight,
  readDbFacts,
  type FloorId,
  type Scenario,
} from "./lib/scenarios";
import { startBenchServer, startFloorServer } from "./lib/server";

interface Budget {
  minRatio?: number;
  p50Ms?: number;
  p99Ms?: number;
  maxErrors?: number;
}
interface Budgets {
  scenarios: Record<string, Budget>;
  peakRssMb: number;
}
export interface Row {
  id: string;
  title: string;
  workers: number;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  floor: FloorId | null;
  /** The floor's req/s in the slices taken in turn with this scenario's; its ratio is to this. */
  floorRequestsPerSecond: number | null;
  ratio: number | null;
  /**
   * The server's CPU time per request (µs): steadier than req/s on a machine whose other tenants take
   * the cores for a while, as they did here. Null where not measured (F0, a cluster).
   */
  cpuUsPerRequest: number | null;
}

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    workers: { type: "string" },
    db: { type: "string" },
    out: { type: "string", default: "bench/results/latest.json" },
    "no-budgets": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const extraWorkers = values.workers ? Number(values.workers) : null;
if (!(duration > 0) || !(connections > 0) || (extraWorkers !== null && !(extraWorkers >= 2)))
  usage("--duration and --connections must be positive numbers, --workers at least 2");
const dbUrl = values.db ?? process.env.DATABASE_URL ?? "file:data/scale.db";
const budgets = JSON.parse(readFileSync("bench/budgets.json", "utf8")) as Budgets;
const only = values.only
  ? new Set(values.only.split(",").map((s) => s.trim().toUpperCase()))
  : null;
const wanted = (id: string) => !only || only.has(id) || (id.startsWith("S3") && only.has("S3"));

function usage(message: string): never {
  console.error(message);
  process.exit(2);
}

interface Server {
  url: string;
  cpuSeconds?: () => number | null;
}

/** One autocannon run and the server CPU time it cost. */
interface Slice {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  cpuSeconds: number | null;
}

async function slice(server: Server, scenario: Scenario, seconds: number): Promise<Slice> {
  const cpu = server.cpuSeconds ?? (() => null);
  const before = cpu();
  const result = await autocannon({
    url: server.url,
    connections: scenario.connections ?? connections,
    duration: seconds,
    requests: scenario.requests,
  });
  const after = cpu();
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuSeconds: before === null || after === null ? null : after - before,
  };
}

/** Slices of one scenario as one row: p50 the slices' median, p99 their worst, CPU per request. */
function rowOf(scenario: Scenario, slices: Slice[], workers: number): Row {
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const p50s = slices.map((s) => s.p50Ms).sort((a, b) => a - b);
  const cpu = slices.every((s) => s.cpuSeconds !== null)
    ? slices.reduce((n, s) => n + s.cpuSeconds!, 0)
    : null;
  return {
    id: scenario.id,
    title: scenario.title,
    workers,
    connections: scenario.connections ?? connections,
    requestsPerSecond: Math.round(requests / seconds),
    p50Ms: p50s[Math.floor((p50s.length - 1) / 2)]!,
    p99Ms: Math.max(...slices.map((s) => s.p99Ms)),
    errors: slices.reduce((n, s) => n + s.errors, 0),
    floor: scenario.floor,
    floorRequestsPerSecond: null,
    ratio: null,
    cpuUsPerRequest: cpu === null || requests === 0 ? null : Math.round((cpu * 1e6) / requests),
  };
}

/** Each scenario and its floor take turns in this many slices of the run's duration. */
const SLICES = 5;

/**
 * A short unmeasured run first (JIT, SQLite's page cache and the pools warm up as in real use), then the
 * scenario. With `floor`, the floor and the scenario take turns, slice by slice, and the scenario's ratio
 * is to that floor: measured one after the other, each could land in a different spell of a machine
 * whose other tenants take the cores for tens of seconds, and the ratio moved by half from run to run.
 */
async function warmAndMeasure(
  server: Server,
  scenario: Scenario,
  { workers = 1, floor }: { workers?: number; floor?: Scenario } = {},
): Promise<Row> {
  await preflight(server.url, scenario);
  const turns = duration >= 2 * SLICES ? SLICES : 1;
  if (duration >= 3) {
    if (floor) await slice(server, floor, 1);
    await slice(server, scenario, 1);
  }
  const mine: Slice[] = [];
  const floors: Slice[] = [];
  for (let i = 0; i < turns; i++) {
    if (floor) floors.push(await slice(server, floor, duration / turns));
    mine.push(await slice(server, scenario, duration / turns));
  }
  const row = rowOf(scenario, mine, workers);
  if (floor) {
    row.floorRequestsPerSecond = rowOf(floor, floors, workers).requestsPerSecond;
    row.ratio = Math.round((row.requestsPerSecond / row.floorRequestsPerSecond) * 1000) / 1000;
  }
  const cpu = row.cpuUsPerRequest === null ? "" : `  server CPU ${row.cpuUsPerRequest} µs/req`;
  const beside = floor ? `  (${floor.id} alongside: ${row.floorRequestsPerSecond} req/s)` : "";
  console.error(
    `  ${row.id.padEnd(4)} ${String(row.requestsPerSecond).padStart(6)} req/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  errors ${row.errors}${cpu}${beside}`,
  );
  return row;
}

const floorOf: Record<string, FloorId | null> = {
  S1: "F1",
  S2: "F2",
  S3a: "F1",
  S3b: "F1",
  S4: "F1",
  S5: null,
  S6: "F1",
};

async function main(): Promise<void> {
  const fixture = readFixture(dbUrl);
  const facts = await readDbFacts(dbUrl, fixture);
  const rows: Row[] = [];
  const floors = new Map<FloorId, number>();
  const [f0, f1, f2] = floorScenarios();
  const floorsNeeded = new Set<string>(["F0", "F1", "F2"].filter(wanted));
  // A scenario's ratio needs its floor from the same run.
  for (const [id, floor] of Object.entries(floorOf))
    if (wanted(id) && floor) floorsNeeded.add(floor);

  console.error(`Benchmark on ${dbUrl}, ${duration} s per run, ${connections} connections`);
  if (floorsNeeded.has("F0")) {
    const plain = await startFloorServer();
    try {
      rows.push(await warmAndMeasure(plain, f0!));
    } finally {
      plain.stop();
    }
  }

  const cpuProf = values["cpu-prof"] ? resolve(values["cpu-prof"]) : null;
  const server = await startBenchServer(dbUrl, {
    extraArgs: cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${cpuProf}`] : [],
  });
  let peakRssMb: number | null = null;
  try {
    for (const floor of [f1!, f2!])
      if (floorsNeeded.has(floor.id)) rows.push(await warmAndMeasure(server, floor));
    const scenarios = (await buildScenarios(server.url, fixture, facts)).filter((s) =>
      wanted(s.id),
    );
    const floorRuns = { F1: f1!, F2: f2! } as const;
    for (const scenario of scenarios) {
      const floor =
        scenario.floor === "F1" || scenario.floor === "F2" ? floorRuns[scenario.floor] : undefined;
      rows.push(await warmAndMeasure(server, scenario, { floor }));
    }
    peakRssMb = server.peakRssMb();
  } finally {
    await server.stop();
  }

  if (extraWorkers) {
    const many = await startBenchServer(dbUrl, { workers: extraWorkers });
    try {
      const scenarios = (await buildScenarios(many.url, fixture, facts)).filter(
        (s) => (s.id === "S1" || s.id === "S4") && wanted(s.id),
      );
      for (const scenario of scenarios)
        rows.push(await warmAndMeasure(many, scenario, { workers: extraWorkers }));
    } finally {
      await many.stop();
    }
  }

  for (const row of rows)
    if (row.id.startsWith("F") && row.workers === 1)
      floors.set(row.id as FloorId, row.requestsPerSecond);
  // The clusters' rows (no budget) have no floor taken in turn with them: theirs is the first one.
  for (const row of rows) {
    const floor = row.floor ? floors.get(row.floor) : undefined;
    if (row.ratio === null && floor)
      row.ratio = Math.round((row.requestsPerSecond / floor) * 1000) / 1000;
  }

  const misses = values["no-budgets"] ? [] : checkBudgets(rows, peakRssMb);
  const report = {
    at: new Date().toISOString(),
    database: dbUrl,
    durationSeconds: duration,
    connections,
    node: process.version,
    rows,
    peakRssMb: peakRssMb === null ? null : Math.round(peakRssMb),
    budgets: values["no-budgets"] ? null : budgets,
    misses,
  };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(markdown(rows, peakRssMb, misses));
  if (misses.length) {
    console.error(`Budgets missed:\n${misses.map((m) => `  - ${m}`).join("\n")}`);
    process.exit(1);
  }
}

function checkBudgets(rows: Row[], peakRssMb: number | null): string[] {
  const misses: string[] = [];
  for (const row of rows) {
    const budget = budgets.scenarios[row.id];
    if (!budget || row.workers !== 1) continue;
    if (budget.minRatio !== undefined && row.ratio !== null && row.ratio < budget.minRatio)
      misses.push(`${row.id}: ${pct(row.ratio)} of ${row.floor}, budget ≥ ${pct(budget.minRatio)}`);
    if (budget.p50Ms !== undefined && row.p50Ms > budget.p50Ms)
      misses.push(`${row.id}: p50 ${row.p50Ms} ms, budget ≤ ${budget.p50Ms} ms`);
    if (budget.p99Ms !== undefined && row.p99Ms > budget.p99Ms)
      misses.push(`${row.id}: p99 ${row.p99Ms} ms, budget ≤ ${budget.p99Ms} ms`);
    if (budget.maxErrors !== undefined && row.errors > budget.maxErrors)
      misses.push(`${row.id}: ${row.errors} errors, budget ${budget.maxErrors}`);
  }
  if (peakRssMb !== null && peakRssMb > budgets.peakRssMb)
    misses.push(
      `server memory: peak RSS ${Math.round(peakRssMb)} MB, budget ≤ ${budgets.peakRssMb} MB`,
    );
  return misses;
}

const pct = (r: number) => `${Math.round(r * 100)} %`;

function markdown(rows: Row[], peakRssMb: number | null, misses: string[]): string {
  const missed = (row: Row) => misses.some((m) => m.startsWith(`${row.id}:`) && row.workers === 1);
  const lines = [
    "| run | what | workers | req/s | p50 ms | p99 ms | errors | floor alongside, req/s | vs floor | budget | server CPU µs/req |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ...rows.map((r) => {
      const budget = r.workers === 1 ? budgets.scenarios[r.id] : undefined;
      const verdict = !budget || values["no-budgets"] ? "" : missed(r) ? "**missed**" : "held";
      return `| ${r.id} | ${r.title} | ${r.workers} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.floorRequestsPerSecond ?? ""} | ${r.ratio === null ? "" : `${pct(r.ratio)} of ${r.floor}`} | ${verdict} | ${r.cpuUsPerRequest ?? ""} |`;
    }),
  ];
  if (peakRssMb !== null)
    lines.push(
      "",
      `Server peak RSS: ${Math.round(peakRssMb)} MB (budget ≤ ${budgets.peakRssMb} MB)${misses.some((m) => m.startsWith("server memory")) ? " **missed**" : ""}`,
    );
  return lines.join("\n");
}

main().catch((error: unknown) => {
  console.error(`Benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
