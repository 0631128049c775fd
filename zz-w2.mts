import autocannon from "autocannon";
import { readFixture } from "./bench/lib/fixture";
import { buildScenarios, readDbFacts } from "./bench/lib/scenarios";
import { startBenchServer } from "./bench/lib/server";
const dbUrl = "file:/work/scale/scale.db";
const fixture = readFixture(dbUrl);
const facts = await readDbFacts(dbUrl, fixture);
for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
  const server = await startBenchServer(dbUrl, { workers: 2 });
  const t0 = Date.now();
  (server.process.stderr as any).on("data", (d: Buffer) => process.stdout.write(`[${Date.now() - t0} ms] ${d.toString().slice(0, 300)}`));
  const all = await buildScenarios(server.url, fixture, facts);
  const sc = all.find((s) => s.id === "S4")!;
  console.log(`[${Date.now() - t0} ms] load starts`);
  const r = await autocannon({ url: server.url, connections: 10, duration: 8, requests: sc.requests });
  console.log(`[${Date.now() - t0} ms] load ends`, Math.round(r.requests.average), "non2xx", r.non2xx, "errors", r.errors);
  await server.stop();
  console.log(`[${Date.now() - t0} ms] stopped`);
}
