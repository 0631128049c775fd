// Every door against another site's page: each state-changing request from a foreign Origin is refused
// and changes nothing, while the same request from our own origin works (so each check can fail).
// Also the headers of portal and staff pages, and each door's body limit (413). A server of its own:
// widget traffic and the changes made here stay away from the other test files.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INGEST_MAX_BODY_BYTES } from "../../server/ingest/http";
import { TRPC_MAX_BODY_BYTES } from "../../server/http";
import { createApiKey, put } from "../helpers/ingest";
import { startServer, type RunningServer } from "../helpers/server";
import { apiSignIn } from "../helpers/two-factor";

const evil = "https://evil.example";
let server: RunningServer;
let base = "";
const cookies = { customer: "", agent: "", admin: "" };
let siteKey = "";

/** The session cookie of a demo person (the demo admin answers the two-factor step). */
const signIn = (email: string): Promise<string> => apiSignIn(base, email);

/** A tRPC call over HTTP as the browser would make it, from `origin`. */
async function trpc(path: string, cookie: string, input?: unknown, origin = base) {
  const res =
    input === undefined
      ? await fetch(`${base}/api/trpc/${path}`, { headers: { cookie } })
      : await fetch(`${base}/api/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", origin, cookie },
          body: JSON.stringify({ json: input }),
        });
  return {
    status: res.status,
    body: (await res.json()) as { result?: { data: { json: unknown } } },
  };
}
const data = async (path: string, cookie: string) =>
  (await trpc(path, cookie)).body.result?.data.json;

/** A form post as a browser sends it from a page of `origin`. */
const form = (path: string, cookie: string, fields: Record<string, string>, origin: string) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin, cookie },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });

beforeAll(async () => {
  server = await startServer();
  base = server.url;
  cookies.customer = await signIn("anna@example.com");
  cookies.agent = await signIn("agent@example.com");
  cookies.admin = await signIn("admin@example.com");
  const sites = (await data("staff.sites.list", cookies.admin)) as { publicKey: string }[];
  siteKey = sites[0]!.publicKey;
});
afterAll(() => server?.stop());

const myName = async () => ((await data("auth.me", cookies.customer)) as { name: string }).name;

describe("a foreign origin cannot change state", () => {
  it("portal form posts (Astro's origin check)", async () => {
    const refused = await form(
      "/account",
      cookies.customer,
      { action: "name", name: "Evil" },
      evil,
    );
    expect(refused.status).toBe(403);
    expect(await myName()).not.toBe("Evil");
    const ours = await form("/account", cookies.customer, { action: "name", name: "Anna J" }, base);
    expect(ours.status).toBe(200);
    expect(await myName()).toBe("Anna J");
  });

  it("staff form posts", async () => {
    const keys = async () => JSON.stringify(await data("staff.apiKeys.list", cookies.admin));
    const refused = await form("/staff/api-keys", cookies.admin, { name: "Evil key" }, evil);
    expect(refused.status).toBe(403);
    expect(await keys()).not.toContain("Evil key");
    const ours = await form("/staff/api-keys", cookies.admin, { name: "Our key" }, base);
    expect(ours.status).toBeLessThan(400);
    expect(await keys()).toContain("Our key");
  });

  it("tRPC mutations, even with the visitor's cookie", async () => {
    const refused = await trpc("account.setName", cookies.customer, { name: "Evil" }, evil);
    expect(refused.status).toBe(403);
    expect(await myName()).not.toBe("Evil");
    // Browsers mark a cross-site request even when a privacy setting strips the Origin header.
    const res = await fetch(`${base}/api/trpc/account.setName`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "sec-fetch-site": "cross-site",
        cookie: cookies.customer,
      },
      body: JSON.stringify({ json: { name: "Evil" } }),
    });
    expect(res.status).toBe(403);
    expect(await myName()).not.toBe("Evil");
  });

  it("sign-out: the session still signs the visitor in", async () => {
    const cookie = await signIn("jon@nordurljos.example.com");
    const refused = await form("/sign-out", cookie, {}, evil);
    expect(refused.status).toBe(403);
    expect(await data("auth.me", cookie)).toMatchObject({ email: "jon@nordurljos.example.com" });
    const ours = await form("/sign-out", cookie, {}, base);
    expect(ours.status).toBe(303);
    expect(await data("auth.me", cookie)).toBeNull();
  });

  it("the language switch: no cookie set, no setting changed", async () => {
    const refused = await form("/locale", cookies.agent, { locale: "is", returnTo: "/" }, evil);
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect(await data("auth.me", cookies.agent)).toMatchObject({ locale: null });
    const ours = await form("/locale", cookies.agent, { locale: "is", returnTo: "/" }, base);
    expect(ours.status).toBe(303);
    expect(await data("auth.me", cookies.agent)).toMatchObject({ locale: "is" });
  });

  it("deleting the account", async () => {
    const refused = await form(
      "/account",
      cookies.customer,
      { action: "delete", deletePassword: "tengsl-demo" },
      evil,
    );
    expect(refused.status).toBe(403);
    expect(await data("auth.me", cookies.customer)).toMatchObject({ email: "anna@example.com" });
  });

  it("uploading files with a new request", async () => {
    const post = (origin: string, subject: string) => {
      const body = new FormData();
      body.set("subject", subject);
      body.set("message", "See the file");
      body.set("attachments", new Blob(["hello"], { type: "text/plain" }), "hello.txt");
      return fetch(`${base}/requests/new`, {
        method: "POST",
        body,
        headers: { cookie: cookies.customer, origin },
        redirect: "manual",
      });
    };
    const subjects = async () =>
      JSON.stringify(
        await data("portal.requests.list?input=%7B%22json%22%3A%7B%7D%7D", cookies.customer),
      );
    expect((await post(evil, "Evil upload")).status).toBe(403);
    expect(await subjects()).not.toContain("Evil upload");
    expect((await post(base, "Our upload")).status).toBe(303);
    expect(await subjects()).toContain("Our upload");
  });

  it("the data export is a read another site cannot see: no CORS grant", async () => {
    const res = await fetch(`${base}/account/export`, {
      headers: { cookie: cookies.customer, origin: evil },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
  });

  it("the widget door: no CORS grant for a foreign origin and nothing stored", async () => {
    const comment = `cross-site ${Date.now()}`;
    const submit = (origin: string) =>
      fetch(`${base}/api/widget/feedback`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify({
          site: siteKey,
          idempotencyKey: `cross-site-${comment.replace(/\D/g, "")}`,
          kind: "comment",
          comment,
        }),
      });
    const stream = async () =>
      JSON.stringify(
        await data(
          `staff.feedback.stream?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`,
          cookies.agent,
        ),
      );
    const refused = await submit(evil);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(await stream()).not.toContain(comment);
    const ours = await submit(server.demoUrl);
    expect(ours.status).toBe(200);
    expect(ours.headers.get("access-control-allow-origin")).toBe(server.demoUrl);
    expect(await stream()).toContain(comment);
  });

  // /api/v1 reads no cookie: each request carries an API key and an HMAC signature of its body, which
  // another site's page does not have, and the door grants no CORS, so a browser will not even send
  // the Authorization header cross-site.
  it("the ingest door: a signed-in browser's cookie authenticates nothing, and no CORS grant", async () => {
    const res = await fetch(`${base}/api/v1/customers/EVIL-1`, {
      method: "PUT",
      headers: { "content-type": "application/json", origin: evil, cookie: cookies.admin },
      body: JSON.stringify({ kind: "person", name: "Evil", contacts: [] }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${base}/api/v1/customers/EVIL-1`, {
      method: "OPTIONS",
      headers: { origin: evil, "access-control-request-method": "PUT" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("headers on portal and staff pages", () => {
  const pages = [
    ["/", "customer"] as const,
    ["/account", "customer"] as const,
    ["/requests", "customer"] as const,
    ["/staff", "agent"] as const,
    ["/staff/requests", "agent"] as const,
    ["/staff/admin", "admin"] as const,
    ["/sign-in", ""] as const,
  ];
  it.each(pages)(
    "%s: strict CSP, no framing, no sniffing, a referrer policy, no HSTS over http",
    async (path, who) => {
      const cookie = who ? cookies[who] : "";
      const res = await fetch(`${base}${path}`, {
        headers: cookie ? { cookie } : {},
        redirect: "manual",
      });
      expect(res.status).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
      expect(scriptSrc.trim()).toBe("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("strict-transport-security")).toBeNull();
      expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    },
  );
});

describe("body limits per door", () => {
  it("tRPC: 413 above its limit", async () => {
    const res = await trpc("account.setName", cookies.customer, {
      name: "x".repeat(TRPC_MAX_BODY_BYTES + 10),
    });
    expect(res.status).toBe(413);
    expect(await myName()).not.toMatch(/^x+$/);
  });

  it("widget: 413 above 16 KB", async () => {
    const res = await fetch(`${base}/api/widget/feedback`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.demoUrl },
      body: JSON.stringify({ site: siteKey, kind: "comment", comment: "x".repeat(17 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.text()).not.toMatch(/at \w+ \(|node_modules/);
  });

  it("ingest: 413 above 1 MB, with a JSON error", async () => {
    const key = await createApiKey(base, "Limits");
    const res = await put(base, key, "/customers/BIG-1", {
      kind: "person",
      name: "x".repeat(INGEST_MAX_BODY_BYTES),
      contacts: [],
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "body_too_large" } });
  });

  it("pages and uploads: 413 for a form declared over 60 MB, before it is read", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${base}/requests/new`,
        {
          method: "POST",
          headers: {
            "content-type": "multipart/form-data; boundary=x",
            "content-length": String(61 * 1024 * 1024),
            origin: base,
            cookie: cookies.customer,
          },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on("error", reject);
      req.write("--x\r\n");
    });
    expect(status).toBe(413);
  });
});
