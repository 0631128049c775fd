// The built server over HTTP: cookies, origin checks, headers, limits, start-up errors and shutdown.
import { spawnSync } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { startServer } from "../helpers/server";

const base = inject("baseUrl");
const trpcSignIn = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, ...headers },
    body: JSON.stringify(body),
  });
const demo = { json: { email: "anna@example.com", password: "tengsl-demo" } };

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, for the whole site, and not Secure over http", async () => {
    const res = await trpcSignIn(demo);
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("tengsl_session="));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Secure/i);
  });

  it("is Secure when PUBLIC_URL is https", async () => {
    const server = await startServer({ PUBLIC_URL: "https://portal.example.com" });
    try {
      const res = await fetch(`${server.url}/api/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://portal.example.com" },
        body: JSON.stringify(demo),
      });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie().join("\n")).toMatch(/tengsl_session=[^;]+;.*Secure/i);
      expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    } finally {
      await server.stop();
    }
  });

  it("signs the browser in for pages, and out again", async () => {
    const res = await trpcSignIn(demo);
    const cookie = res.headers.getSetCookie()[0]!.split(";")[0]!;
    const home = await fetch(`${base}/`, { headers: { cookie } });
    expect(await home.text()).toContain("Anna Jónsdóttir");
    const out = await fetch(`${base}/sign-out`, {
      method: "POST",
      headers: { cookie, origin: base },
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    const after = await fetch(`${base}/account`, { headers: { cookie }, redirect: "manual" });
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/sign-in?returnTo=%2Faccount");
  });
});

describe("cross-origin requests", () => {
  it("refuses a tRPC mutation from another origin and signs no one in", async () => {
    const res = await trpcSignIn(demo, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
  });

  it("refuses a form post from another origin and accepts one from ours", async () => {
    const form = new URLSearchParams({ email: "anna@example.com", password: "tengsl-demo" });
    const post = (origin: string) =>
      fetch(`${base}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin },
        body: form,
        redirect: "manual",
      });
    const foreign = await post("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.getSetCookie()).toEqual([]);
    const ours = await post(base);
    expect(ours.status).toBe(303);
    expect(ours.headers.getSetCookie().join()).toContain("tengsl_session=");
  });
});

describe("errors and limits", () => {
  it("answers bad input with field errors and no stack trace", async () => {
    const res = await trpcSignIn({ json: { email: "nope", password: "" } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/stack|at \w+ \(|node_modules/);
    expect(JSON.parse(text)).toMatchObject({
      error: {
        json: {
          data: {
            fieldErrors: {
              email: ["validation.emailInvalid"],
              password: ["validation.passwordRequired"],
            },
          },
        },
      },
    });
  });

  it("refuses a body over the limit with 413", async () => {
    const res = await trpcSignIn({
      json: { email: "a@example.com", password: "x".repeat(200_000) },
    });
    expect(res.status).toBe(413);
  });

  it("refuses a page post without a declared length, and one over 60 MB, before reading it", async () => {
    const { request } = await import("node:http");
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${base}/requests/new`,
          { method: "POST", headers: { "content-type": "text/plain", origin: base, ...headers } },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on("error", reject);
        req.write("a body that could go on for ever");
      });
    expect(await post({ "transfer-encoding": "chunked" })).toBe(411);
    expect(await post({ "content-length": String(61 * 1024 * 1024) })).toBe(413);
  });

  it("sends security headers with pages", async () => {
    const res = await fetch(`${base}/sign-in`);
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("serves a localized 404 page", async () => {
    const res = await fetch(`${base}/no-such-page`, { headers: { "accept-language": "is" } });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Síðan fannst ekki");
  });
});

describe("start-up and shutdown", () => {
  it("stops with one clear line and exit code 1 on a bad PORT", () => {
    const run = spawnSync(process.execPath, ["dist/main.mjs"], {
      env: { ...process.env, PORT: "abc" },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'Tengsl cannot start: PORT must be a whole number from 0 to 65535 (got "abc")',
    );
    expect(run.stdout).toBe("");
  });

  it("shuts down cleanly on SIGTERM", async () => {
    const server = await startServer({ SEED_DEMO: "false" });
    expect(server.output()).not.toContain("Demo data seeded");
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain("SIGTERM received");
  });
});
