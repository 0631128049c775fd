// WORKERS=2: two processes share the port and the database; either one dying leaves the other serving,
// the primary replaces it, and SIGTERM stops them all cleanly. A sign-out or a site switched off in one
// holds in the other (docs/decisions/032).
import { get } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_EVERY_MS } from "../../db/versioned-cache";
import { startServer, type RunningServer } from "../helpers/server";
import { apiSignIn, DEMO_ADMIN, enrolDemoAdmin } from "../helpers/two-factor";

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
const onNewConnection = (path: string, headers: Record<string, string>) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    get(`${server.url}${path}`, { agent: false, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
const statusOnNewConnection = async (path: string, cookie: string) =>
  (await onNewConnection(path, { cookie })).status;

describe("WORKERS=2", () => {
  it("holds a sign-out made in one worker in the other within the sessions' recheck", async () => {
    const cookie = await apiSignIn(server.url, "anna@example.com");
    const account = () => statusOnNewConnection("/api/trpc/portal.home.account", cookie);
    // Both workers check the session (and may keep it: docs/decisions/032).
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

  it("holds a site switched off in one worker in the other within the recheck", async () => {
    await enrolDemoAdmin(server.dbUrl);
    const cookie = await apiSignIn(server.url, DEMO_ADMIN);
    const trpc = async (path: string, json: unknown) => {
      const res = await fetch(`${server.url}/api/trpc/${path}`, {
        method: "POST",
        headers: { cookie, origin: server.url, "content-type": "application/json" },
        body: JSON.stringify({ json }),
      });
      expect(res.status).toBe(200);
    };
    const listed = await onNewConnection(`/api/trpc/staff.sites.list`, { cookie });
    const [site] = (
      JSON.parse(listed.body) as {
        result: { data: { json: { id: string; publicKey: string; allowedOrigins: string[] }[] } };
      }
    ).result.data.json;
    expect(site).toBeDefined();
    const input = encodeURIComponent(JSON.stringify({ site: site!.publicKey }));
    const status = async () =>
      (
        await onNewConnection(`/api/widget/status?input=${input}`, {
          origin: site!.allowedOrigins[0]!,
        })
      ).body;
    // Both workers read the site (and may keep it).
    for (let i = 0; i < 6; i++) expect(await status()).toContain('"on":true');
    await trpc("staff.sites.setEnabled", { id: site!.id, on: false });
    try {
      await sleep(CHECK_EVERY_MS + 100);
      for (let i = 0; i < 6; i++) expect(await status()).toContain('"on":false');
    } finally {
      await trpc("staff.sites.setEnabled", { id: site!.id, on: true });
    }
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
