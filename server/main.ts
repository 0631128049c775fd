// The server entry: configuration, database and migrations, demo seed, then one node:http server for
// every door, and a graceful shutdown on SIGTERM/SIGINT. `--dev` serves pages from Astro's dev server.
// WORKERS=N: this process prepares the database once, then forks N workers sharing the port (node:cluster).
import cluster from "node:cluster";
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from "node:http";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { closeDb, openDb, type Db } from "../db/client";
import { migrateDb } from "../db/migrate";
import { DEMO_PASSWORD, demoSignIns, isEmpty, seedDemo } from "../db/seed/demo";
import { createApp, pageServices, registerPageServices } from "./app";
import { ConfigError, loadConfig, redactUrl, type Config } from "./config";
import { startDemoPage } from "./demo/product-page";
import { startHousekeeping } from "./housekeeping";
import { createRequestListener } from "./http";
import { startMailWorker } from "./mail/sender";
import { createMailTransport } from "./mail/transport";

const root = fileURLToPath(new URL("..", import.meta.url));
const SHUTDOWN_GRACE_MS = 10_000;
/**
 * How far V8 lets the old generation grow past what survived the last full collection before the next
 * one (here twice it). Under load, per-request objects that outlive two young collections pile up there:
 * V8's own factor let about 30 MB of live heap grow to 140 MB before a full collection (peak RSS 250 MB
 * answering health pings alone); twice the live heap keeps the peak about 90 MB lower at the same speed
 * (bench/README.md). Read at every collection, so setting it at start is in time.
 */
const HEAP_GROWING_PERCENT = 100;

async function main(): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const dev = process.argv.includes("--dev");
  let config: Config;
  try {
    config = loadConfig(process.env, { dev });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Tengsl cannot start: ${error.message}`);
    process.exit(1);
  }

  if (cluster.isPrimary && config.workers > 1 && !dev) return runPrimary(config);

  const db = await openDb({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  // Workers find the database prepared by the primary: two processes must not both migrate it.
  const seeded = cluster.isWorker ? false : await prepareDatabase(db, config);

  const app = createApp(config, db);
  registerPageServices(pageServices(app));
  const mail = startMailWorker(db, createMailTransport(config));
  await app.live.start();
  const housekeeping = startHousekeeping(db);
  const pages = dev ? await astroDevHandler(config) : await astroBuiltHandler();

  const server = createServer(createRequestListener(app, pages.handler));
  const demo = config.demoPort
    ? await startDemoPage(db, {
        port: config.demoPort,
        host: config.host,
        portalUrl: config.publicUrl,
      })
    : null;
  // Live pages (tRPC subscriptions over SSE) hold their connections open for as long as they are shown.
  const streams = new Set<ServerResponse>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!req.headers.accept?.includes("text/event-stream")) return;
    streams.add(res);
    res.once("close", () => streams.delete(res));
  });
  // Registered before listening, so that a signal arriving the moment we answer is handled gracefully.
  const shutdown = onceOnly(async (signal: string) => {
    console.log(`${signal} received: finishing open requests, then stopping.`);
    const force = setTimeout(() => {
      console.error(`Requests still open after ${SHUTDOWN_GRACE_MS / 1000} s; stopping anyway.`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Ended at once and cleanly: the browser's EventSource then reconnects to another process (or this
    // one's successor) and names the last event it saw, so nothing is missed. (A cut connection instead
    // makes Chromium give up on the stream.) Every other request may finish, however slow.
    for (const res of streams) res.end();
    // A keep-alive connection goes idle when its last response is sent: close it then, not after its timeout.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    await closed;
    clearInterval(idle);
    demo?.close();
    await pages.stop();
    // Lets a mail being sent finish (and be marked sent), so it is neither lost nor sent twice.
    await mail.stop();
    app.live.stop();
    housekeeping.stop();
    await closeDb(db);
    clearTimeout(force);
    process.exit(0);
  });
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  if (cluster.isWorker) {
    process.send?.({ serving: port });
    return;
  }
  console.log(
    `Tengsl is serving on http://${config.host}:${port} (public address ${config.publicUrl.origin})`,
  );
  console.log(`Database: ${redactUrl(config.databaseUrl)}`);
  if (demo) console.log(`Demo product page with the widget: http://localhost:${config.demoPort}/`);
  console.log(
    config.smtpUrl
      ? `Mail: SMTP ${redactUrl(config.smtpUrl)}`
      : `Mail: written as .eml files to ${config.mailDir}/`,
  );
  if (seeded) printDemoSignIns();
}

async function prepareDatabase(db: Db, config: Config): Promise<boolean> {
  await migrateDb(db);
  const seeded = config.seedDemo && (await isEmpty(db));
  if (seeded) await seedDemo(db, config);
  return seeded;
}

function printDemoSignIns(): void {
  console.log(`Demo data seeded. Sign in with any of these, password "${DEMO_PASSWORD}":`);
  for (const person of demoSignIns) console.log(`  ${person.email.padEnd(32)} ${person.role}`);
}

/**
 * The primary of WORKERS=N: migrates and seeds once, forks the workers, replaces one that dies, and on
 * SIGTERM/SIGINT lets each finish its open requests. Background jobs run in every worker and stay correct:
 * the mail sender takes each message under a lease in the database, housekeeping's deletes are
 * idempotent, and each worker's live poller feeds its own subscribers from the shared events table.
 */
async function runPrimary(config: Config): Promise<void> {
  const db = await openDb({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  const seeded = await prepareDatabase(db, config);
  await closeDb(db);

  let stopping = false;
  const fork = () => cluster.fork();
  const ready = new Promise<number>((resolve, reject) => {
    let serving = 0;
    cluster.on("message", (worker, message: { serving?: number }) => {
      if (typeof message.serving !== "number") return;
      if (serving >= config.workers) console.log(`Worker ${worker.process.pid} is serving.`);
      else if (++serving === config.workers) resolve(message.serving);
    });
    cluster.on("exit", (worker, code, signal) => {
      if (stopping) return;
      if (serving < config.workers) return reject(new Error(`a worker exited with ${code}`));
      console.error(`Worker ${worker.process.pid} stopped (${signal ?? code}); starting another.`);
      fork();
    });
  });
  for (let i = 0; i < config.workers; i++) fork();

  const shutdown = onceOnly(async (signal: string) => {
    stopping = true;
    console.log(`${signal} received: the workers finish open requests, then stop.`);
    const exited = Object.values(cluster.workers ?? {}).map(
      (worker) =>
        new Promise<number | null>((resolve) => {
          if (!worker || worker.isDead()) return resolve(0);
          // A worker still starting has no handler yet and ends by the signal: it had no requests open.
          worker.once("exit", (code, signal) => resolve(signal === "SIGTERM" ? 0 : code));
          // Ctrl-C reaches the workers from the terminal already; a second signal changes nothing.
          worker.process.kill("SIGTERM");
        }),
    );
    const codes = await Promise.all(exited);
    process.exit(codes.every((c) => c === 0) ? 0 : 1);
  });
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const port = await ready;
  const pids = Object.values(cluster.workers ?? {}).map((w) => w?.process.pid);
  console.log(
    `Tengsl is serving on http://${config.host}:${port} (public address ${config.publicUrl.origin}) with ${config.workers} workers: ${pids.join(", ")}`,
  );
  console.log(`Database: ${redactUrl(config.databaseUrl)}`);
  if (config.demoPort)
    console.log(`Demo product page with the widget: http://localhost:${config.demoPort}/`);
  if (seeded) printDemoSignIns();
}

interface Pages {
  handler: RequestListener;
  stop(): Promise<void>;
}

/** Astro's built node handler, in standalone mode so that it serves static files too. */
async function astroBuiltHandler(): Promise<Pages> {
  process.env.ASTRO_NODE_AUTOSTART = "disabled";
  const entry = new URL("../dist/server/entry.mjs", import.meta.url).href;
  const { handler } = (await import(entry)) as { handler: RequestListener };
  return { handler, stop: async () => {} };
}

/** Astro's dev server on the next port, for reload on change; our server stays the front door. */
async function astroDevHandler(config: Config): Promise<Pages> {
  process.env.ASTRO_TELEMETRY_DISABLED ??= "1";
  const { dev } = await import("astro");
  const devServer = await dev({
    root,
    logLevel: "warn",
    server: { host: "127.0.0.1", port: config.port + 1 },
    vite: { server: { hmr: { clientPort: config.port + 1 } } },
  });
  return { handler: (req, res) => devServer.handle(req, res), stop: () => devServer.stop() };
}

function onceOnly<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  let called = false;
  return async (...args: A) => {
    if (called) return;
    called = true;
    await fn(...args);
  };
}

main().catch((error: unknown) => {
  console.error("Tengsl could not start:", error instanceof Error ? error.message : error);
  if (process.env.NODE_ENV === "development") console.error(error);
  process.exit(1);
});
