// Starts the built server (dist/main.mjs) on a free port over a fresh database, as `npm start` would.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enrolDemoAdmin } from "./two-factor";

export interface RunningServer {
  url: string;
  dbUrl: string;
  mailDir: string;
  /** The demo product page (another origin) with the widget, when DEMO_PORT was not "0". */
  demoUrl: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `keep`: leave the temporary folder (database, mail) when stopping, to start again over it.
 * `enrolAdmin`: give the demo admin two-factor sign-in with the tests' key (tests/helpers/two-factor.ts).
 */
export async function startServer(
  env: Record<string, string> = {},
  { keep = false, enrolAdmin = true } = {},
): Promise<RunningServer> {
  if (!existsSync("dist/main.mjs"))
    throw new Error("No build: run `npm run build` before the e2e tests.");
  const dir = mkdtempSync(join(tmpdir(), "tengsl-e2e-"));
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dbUrl = `file:${join(dir, "tengsl.db")}`;
  const mailDir = join(dir, "mail");
  const demoPort = env.DEMO_PORT ?? String(await freePort());
  const child = spawn(process.execPath, ["dist/main.mjs"], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: dbUrl,
      MAIL_DIR: mailDir,
      FILES_DIR: join(dir, "files"),
      DEMO_PORT: demoPort,
      NODE_ENV: "production",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes("serving on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  if (enrolAdmin && env.SEED_DEMO !== "false") await enrolDemoAdmin(env.DATABASE_URL ?? dbUrl);

  return {
    url,
    dbUrl,
    mailDir,
    demoUrl: `http://127.0.0.1:${demoPort}`,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const code = await exited;
      if (!keep) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
