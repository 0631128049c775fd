// WORKERS=2: two processes share the port and the database; either one dying leaves the other serving,
// the primary replaces it, and SIGTERM stops them all cleanly. A sign-out in one holds in the other.
import { get } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_EVERY_MS } from "../../db/versioned-cache";
import { startServer, type RunningServer } from "../helpers/server";
import { apiSignIn } from "../helpers/two-factor";

let server: RunningServer;
const ping = async () => {
  const res = await fetch(`${server.url}/api/trpc/health.ping`);
  return { status: res.status, body: await res.text() };
};
const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
};

beforeAll(async () => {
  server = await startServer({ WORKERS: "2", DEMO_PORT: "0" });
});
afterAll(async () => {
  await server.stop();
});

/** A GET on a connection of its own: the primary hands new connections to the workers in turn. */
const statusOnNewConnection = (path: string, cookie: string) =>
  new Promise<number>((resolve, reject) => {
    get(`${server.url}${path}`, { agent: false, headers: { cookie } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });

describe("WORKERS=2", () => {
  it("holds a sign-out made in one worker in the other within the sessions' recheck", async () => {
    const cookie = await apiSignIn(server.url, "anna@example.com");
    const account = () => statusOnNewConnection("/api/trpc/portal.home.account", cookie);
    // Both workers check the session, and keep it (docs/decisions/032).
    for (let i = 0; i < 6; i++) expect(await account()).toBe(200);
    const out = await fetch(`${server.url}/api/trpc/auth.signOut`, {
      method: "POST",
      headers: { cookie, origin: server.url, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(200);
    await sleep(CHECK_EVERY_MS + 100);
    for (let i = 0; i < 6; i++) expect(await account()).toBe(401);
  });

  it("serves from two worker processes, and from the other when one dies", async () => {
    const pids = /with 2 workers: (\d+), (\d+)/.exec(server.output())?.slice(1).map(Number);
    expect(pids).toHaveLength(2);
    const [first, second] = pids as [number, number];
    expect(first).not.toBe(second);
    const answer = await ping();
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('"ok"');

    process.kill(first, "SIGKILL");
    await waitFor(() => server.output().includes(`Worker ${first} stopped`));
    // The replacement needs a second to start: these are answered by the second worker.
    for (let i = 0; i < 5; i++) expect((await ping()).status).toBe(200);

    await waitFor(() => /Worker \d+ is serving/.test(server.output()));
    process.kill(second, "SIGKILL");
    await waitFor(() => server.output().includes(`Worker ${second} stopped`));
    for (let i = 0; i < 5; i++) expect((await ping()).status).toBe(200);
  });

  it("stops every worker cleanly on SIGTERM", async () => {
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain("the workers finish open requests");
  });

  it("refuses a WORKERS value out of range with one line naming it", async () => {
    await expect(startServer({ WORKERS: "0" })).rejects.toThrow(/WORKERS must be a whole number/);
  });
});
