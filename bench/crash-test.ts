// The crash test: two server processes over one database file, a client sending widget submissions and
// signed order updates to both at full speed, and one process killed with SIGKILL again and again (and
// started again on its port). Afterwards every acknowledged submission must be stored exactly once and
// every order must hold at least its newest acknowledged state. `npm run crash-test -- --seconds 60`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { newId } from "../db/ids";
import { orderBody } from "../tests/factories/orders";
import { createApiKey, put } from "../tests/helpers/ingest";
import { freePort, startServer, type RunningServer } from "../tests/helpers/server";

export interface CrashTestOptions {
  /** How long the client sends. */
  seconds: number;
  /** How many times a server process is killed (spread evenly over the run). */
  kills: number;
  /** Requests in flight at once. */
  concurrency: number;
  log?: (line: string) => void;
}

export interface CrashTestReport {
  kills: number;
  sent: { submissions: number; orderUpdates: number; retries: number };
  acknowledged: { submissions: number; orderUpdates: number };
  stored: { submissions: number; orders: number };
  /** Answers with status 5xx: a SQLITE_BUSY or any other failure surfacing as a server error. */
  serverErrors: number;
  /** Acknowledged submissions not stored, or stored more than once. */
  lostSubmissions: string[];
  duplicateSubmissions: string[];
  /** Orders whose stored state is older than one acknowledged, or is not a state that was sent. */
  staleOrders: string[];
  /** Writes acknowledged while another process held a long read open. */
  acknowledgedDuringLongRead: number;
}

const ORIGIN = "https://shop.crash.example";
const CUSTOMER = "CRASH-CUSTOMER";
const BASE_TIME = Date.UTC(2026, 0, 1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCrashTest({
  seconds,
  kills,
  concurrency,
  log = () => {},
}: CrashTestOptions): Promise<CrashTestReport> {
  const dir = mkdtempSync(join(tmpdir(), "tengsl-crash-"));
  const dbUrl = `file:${join(dir, "tengsl.db")}`;
  const ports = [await freePort(), await freePort()];
  const env = (port: number) => ({
    DATABASE_URL: dbUrl,
    PORT: String(port),
    DEMO_PORT: "0",
    MAIL_DIR: join(dir, "mail"),
    FILES_DIR: join(dir, "files"),
    WIDGET_RATE_PER_10_MINUTES: "9999999",
    INGEST_RATE_PER_MINUTE: "9999999",
  });
  // One at a time: the first migrates and seeds (the demo admin makes the API key).
  const servers: RunningServer[] = [];
  for (const port of ports) servers.push(await startServer(env(port)));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);

  // It writes beside two servers starting up: it waits for their write lock as they do.
  const db = createClient({ url: dbUrl, timeout: 5_000 });
  const siteKey = `crash_${newId()}`;
  await db.execute({
    sql: `insert into sites (id, name, public_key, identity_secret, allowed_origins, created_at)
          values (?, 'Crash test shop', ?, 'secret', ?, ?)`,
    args: [newId(), siteKey, JSON.stringify([ORIGIN]), Date.now()],
  });
  const apiKey = await createApiKey(urls[0]!, "Crash test");
  const customer = await put(urls[0]!, apiKey, `/customers/${CUSTOMER}`, {
    kind: "person",
    name: "Crash Test",
  });
  if (!customer.ok) throw new Error(`customer not created: ${customer.status}`);

  const report: CrashTestReport = {
    kills: 0,
    sent: { submissions: 0, orderUpdates: 0, retries: 0 },
    acknowledged: { submissions: 0, orderUpdates: 0 },
    stored: { submissions: 0, orders: 0 },
    serverErrors: 0,
    lostSubmissions: [],
    duplicateSubmissions: [],
    staleOrders: [],
    acknowledgedDuringLongRead: 0,
  };
  const ackedKeys: string[] = [];
  /** Per order: the newest step sent and the newest step acknowledged. */
  const orderSteps = new Map<string, { sent: number; acked: number }>();
  let readOpen = false;

  /** Sends until a 2xx, moving to the other process after a refused connection or a 5xx. */
  async function deliver(send: (base: string) => Promise<Response>): Promise<boolean> {
    let target = Math.floor(Math.random() * 2);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (attempt > 0) {
        report.sent.retries++;
        target = 1 - target;
        await sleep(20);
      }
      try {
        const res = await send(urls[target]!);
        await res.arrayBuffer();
        if (res.status >= 500) report.serverErrors++;
        else if (res.ok) {
          if (readOpen) report.acknowledgedDuringLongRead++;
          return true;
        } else
          throw new Error(`refused with ${res.status}: the crash test sends only valid requests`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("refused")) throw error;
        // The process went away mid-request or is starting again: retry the same request elsewhere.
      }
    }
    return false;
  }

  async function submission(worker: number, n: number) {
    const idempotencyKey = `crash-${worker}-${n}-${newId()}`.slice(0, 64);
    report.sent.submissions++;
    const body = JSON.stringify({
      site: siteKey,
      idempotencyKey,
      kind: "comment",
      comment: `Crash test comment ${worker}/${n}`,
    });
    const ok = await deliver((base) =>
      fetch(`${base}/api/widget/feedback`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN },
        body,
      }),
    );
    if (ok) {
      report.acknowledged.submissions++;
      ackedKeys.push(idempotencyKey);
    }
  }

  async function orderUpdate(worker: number, n: number) {
    const id = `CRASH-${worker}-${n % 4}`;
    const steps = orderSteps.get(id) ?? { sent: 0, acked: 0 };
    orderSteps.set(id, steps);
    const step = ++steps.sent;
    report.sent.orderUpdates++;
    // The total and status follow the step, so the stored row shows which update it holds.
    const body = orderBody(CUSTOMER, {
      number: id,
      status: (["pending", "processing", "shipped", "delivered"] as const)[step % 4],
      total: step,
      updatedAt: BASE_TIME + step * 1000,
      placedAt: BASE_TIME,
    });
    if (await deliver((base) => put(base, apiKey, `/orders/${id}`, body))) {
      report.acknowledged.orderUpdates++;
      steps.acked = Math.max(steps.acked, step);
    }
  }

  const deadline = Date.now() + seconds * 1000;
  const workers = Array.from({ length: concurrency }, async (_, worker) => {
    for (let n = 0; Date.now() < deadline; n++) {
      await (n % 2 === 0 ? submission(worker, n) : orderUpdate(worker, n));
    }
  });

  const killer = (async () => {
    for (let i = 0; i < kills; i++) {
      await sleep((seconds * 1000) / (kills + 1));
      const victim = i % 2;
      const server = servers[victim]!;
      const exited = new Promise((resolve) => server.process.once("exit", resolve));
      server.process.kill("SIGKILL");
      await exited;
      report.kills++;
      log(`killed process ${victim + 1} (kill ${i + 1} of ${kills}); starting it again`);
      servers[victim] = await startServer(env(ports[victim]!));
    }
  })();

  // Halfway through, a long analytics read holds a snapshot open: writes must go on meanwhile (WAL).
  const reader = (async () => {
    await sleep((seconds * 1000) / 2);
    const tx = await db.transaction("read");
    try {
      readOpen = true;
      await tx.execute(
        "select count(*), avg(length(comment)) from feedback f cross join (select 1 from feedback limit 50)",
      );
      await sleep(Math.min(2000, (seconds * 1000) / 4));
      readOpen = false;
    } finally {
      tx.close();
    }
  })();

  await Promise.all([...workers, killer, reader]);
  for (const server of servers) await server.stop();

  const stored = await db.execute({
    sql: "select idempotency_key as key, count(*) as n from feedback where site_id = (select id from sites where public_key = ?) group by idempotency_key",
    args: [siteKey],
  });
  const storedKeys = new Map(stored.rows.map((r) => [r.key as string, Number(r.n)]));
  report.stored.submissions = storedKeys.size;
  report.lostSubmissions = ackedKeys.filter((key) => !storedKeys.has(key));
  report.duplicateSubmissions = [...storedKeys].filter(([, n]) => n > 1).map(([key]) => key);

  const orders = await db.execute(
    "select external_id as id, total, status, source_updated_at as updatedAt from orders where external_id like 'CRASH-%'",
  );
  report.stored.orders = orders.rows.length;
  const storedOrders = new Map(orders.rows.map((r) => [r.id as string, r]));
  for (const [id, steps] of orderSteps) {
    if (steps.acked === 0) continue;
    const row = storedOrders.get(id);
    const step = row ? (Number(row.updatedAt) - BASE_TIME) / 1000 : 0;
    // Newer than acknowledged is fine (committed, answer lost in the kill); older or mixed is not.
    const consistent =
      row && Number(row.total) === step && step >= steps.acked && step <= steps.sent;
    if (!consistent) report.staleOrders.push(id);
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return report;
}

// Run as a script: `npm run crash-test -- --seconds 60 --kills 10 --concurrency 32`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const report = await runCrashTest({
    seconds: arg("seconds", 30),
    kills: arg("kills", 6),
    concurrency: arg("concurrency", 16),
    log: console.log,
  });
  console.log(JSON.stringify(report, null, 2));
  const failed =
    report.serverErrors +
    report.lostSubmissions.length +
    report.duplicateSubmissions.length +
    report.staleOrders.length;
  process.exit(failed === 0 ? 0 : 1);
}
