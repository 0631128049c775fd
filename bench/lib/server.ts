// Starts the built server (dist/main.mjs) over the benchmark's database, with the widget and ingest rate
// limits lifted, and reads its peak memory from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "../../tests/helpers/server";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface BenchServer {
  url: string;
  process: ChildProcess;
  /** Peak resident memory of the server process so far (VmHWM), in MB; null off Linux. */
  peakRssMb(): number | null;
  /**
   * CPU time the server process has used so far (user and system), in seconds; null off Linux and for
   * a cluster, whose workers' time the primary does not see while they run.
   */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

export async function startBenchServer(
  dbUrl: string,
  { workers = 1, extraArgs = [] as string[] } = {},
): Promise<BenchServer> {
  if (!existsSync("dist/main.mjs")) throw new Error("No build: run `npm run build` first.");
  const dir = mkdtempSync(join(tmpdir(), "tengsl-bench-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...extraArgs, "dist/main.mjs"], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: dbUrl,
      MAIL_DIR: join(dir, "mail"),
      FILES_DIR: join(dir, "files"),
      DEMO_PORT: "0",
      SEED_DEMO: "false",
      WIDGET_RATE_PER_10_MINUTES: "9999999",
      INGEST_RATE_PER_MINUTE: "9999999",
      WORKERS: String(workers),
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout.on("data", () => {
      if (output.includes("serving on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    peakRssMb() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        return kb ? Number(kb) / 1024 : null;
      } catch {
        return null;
      }
    },
    cpuSeconds() {
      if (workers !== 1) return null;
      try {
        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in
        // clock ticks (USER_HZ, 100 on Linux whatever the kernel's own rate).
        const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      // Errors the server logged during the run are worth seeing next to its numbers.
      const errors = output.split("\n").filter((l) => /failed|error/i.test(l));
      if (errors.length) console.error(`Server log:\n${errors.slice(0, 20).join("\n")}`);
    },
  };
}

/** F0: plain node:http answering "ok", in its own process so it does not share the load generator's loop. */
export async function startFloorServer(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const code = `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1", () => console.log("up"))`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
