// The benchmark harness end to end, tiny: a small seeded database, about a second per run, no budgets.
// It proves every floor and scenario still answers 2xx and lands in the results; speed is bench/'s job.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDevDb } from "../../bench/lib/dev-db";
import type { Row } from "../../bench/run";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "tengsl-bench-smoke-"));
const dbUrl = `file:${join(dir, "bench.db")}`;

beforeAll(async () => {
  await makeDevDb(dbUrl, { orders: 60 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run bench (smoke)", () => {
  it("measures every floor and scenario, also with two workers, and writes the results", async () => {
    const out = join(dir, "results.json");
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/run.ts",
        "--db",
        dbUrl,
        "--duration",
        "1",
        "--connections",
        "2",
        "--workers",
        "2",
        "--no-budgets",
        "--out",
        out,
      ],
      { timeout: 170_000 },
    );
    const report = JSON.parse(readFileSync(out, "utf8")) as { rows: Row[]; peakRssMb: number };
    const single = report.rows.filter((r) => r.workers === 1).map((r) => r.id);
    expect(single).toEqual(["F0", "F1", "F2", "S1", "S2", "S3a", "S3b", "S4", "S5", "S6"]);
    const two = report.rows.filter((r) => r.workers === 2).map((r) => r.id);
    expect(two).toEqual(["S1", "S4"]);
    for (const row of report.rows) {
      // S5 is a latency budget, measured at one connection whatever --connections says.
      expect(row.connections, row.id).toBe(row.id === "S5" ? 1 : 2);
      expect(row.requestsPerSecond, row.id).toBeGreaterThan(0);
      expect(row.errors, row.id).toBe(0);
      if (row.floor) expect(row.ratio, row.id).toBeGreaterThan(0);
      if (row.workers === 1 && row.floor) {
        // The ratio is to the floor measured in turn with the scenario.
        expect(row.floorRequestsPerSecond, row.id).toBeGreaterThan(0);
        expect(row.ratio, row.id).toBeCloseTo(
          row.requestsPerSecond / row.floorRequestsPerSecond!,
          2,
        );
      }
      if (row.workers === 1 && row.id !== "F0")
        expect(row.cpuUsPerRequest, row.id).toBeGreaterThan(0);
    }
    expect(report.peakRssMb).toBeGreaterThan(0);
    expect(stdout).toContain("| S6 |");
  }, 180_000);

  it("refuses a database without its fixture file, naming the file and how to make it", async () => {
    const bare = `file:${join(dir, "bare.db")}`;
    const failed = await run(process.execPath, [
      "--import",
      "tsx",
      "bench/run.ts",
      "--db",
      bare,
    ]).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain("bare.db.scale.json is missing");
    expect(failed?.stderr).toContain("npm run seed:scale");
  });
});
