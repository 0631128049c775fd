// Every page and endpoint under site/pages, found on disk (so a new one cannot be forgotten), requested
// by a visitor, a customer of each of two accounts, an agent and an admin.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ingestRoutes, INGEST_PATH } from "../../server/ingest/http";
import { WIDGET_PATH } from "../../server/http";
import { widgetRouter } from "../../server/routers/widget";
import { apiSignIn } from "../helpers/two-factor";

const base = inject("baseUrl");
type Who = "anonymous" | "customerA" | "customerB" | "agent" | "admin";
const people: Record<Exclude<Who, "anonymous">, string> = {
  customerA: "jon@nordurljos.example.com",
  customerB: "anna@example.com",
  agent: "agent@example.com",
  admin: "admin@example.com",
};
const cookies: Partial<Record<Who, string>> = {};
let orderOfA = "";
let requestOfA = "";
let fileOfA = "";
let accountOfA = "";
let siteId = "";

/** What each role gets (status, and the redirect target's path for 303). */
type Expect = Record<Who, number | string>;
const signInFirst = (path: string) => `/sign-in?returnTo=${encodeURIComponent(path)}`;
const customersOnly = (path: string): Expect => ({
  anonymous: signInFirst(path),
  customerA: 200,
  customerB: 200,
  agent: 403,
  admin: 403,
});
const signedIn = (path: string, status = 200): Expect => ({
  anonymous: signInFirst(path),
  customerA: status,
  customerB: status,
  agent: status,
  admin: status,
});
const adminOnly = (path: string): Expect => ({
  anonymous: signInFirst(path),
  customerA: 403,
  customerB: 403,
  agent: 403,
  admin: 200,
});
const staffOnly = (path: string): Expect => ({
  anonymous: signInFirst(path),
  customerA: 403,
  customerB: 403,
  agent: 200,
  admin: 200,
});
const everyone = (status: number | string): Expect => ({
  anonymous: status,
  customerA: status,
  customerB: status,
  agent: status,
  admin: status,
});

/** Route file → how to request it and what each role gets. */
type Route = { method?: "GET" | "POST"; path: () => string; expect: (path: string) => Expect };
const redirectsSignedIn = (): Expect => ({
  anonymous: 200,
  customerA: "/",
  customerB: "/",
  agent: "/staff",
  admin: "/staff",
});
const routes: Record<string, Route> = {
  "index.astro": {
    path: () => "/",
    expect: () => ({
      anonymous: 200,
      customerA: 200,
      customerB: 200,
      agent: "/staff",
      admin: "/staff",
    }),
  },
  "sign-in.astro": { path: () => "/sign-in", expect: redirectsSignedIn },
  // Without a pending sign-in (its cookie) there is no second step to answer.
  "sign-in/two-factor.astro": {
    path: () => "/sign-in/two-factor",
    expect: () => ({ ...redirectsSignedIn(), anonymous: "/sign-in" }),
  },
  "account/security.astro": { path: () => "/account/security", expect: staffOnly },
  "sign-up.astro": { path: () => "/sign-up", expect: redirectsSignedIn },
  "forgot-password.astro": { path: () => "/forgot-password", expect: () => everyone(200) },
  "reset-password.astro": { path: () => "/reset-password?token=nope", expect: () => everyone(200) },
  "verify-email.astro": { path: () => "/verify-email?token=nope", expect: (p) => signedIn(p, 400) },
  "orders/index.astro": { path: () => "/orders", expect: customersOnly },
  "requests/[id].astro": {
    path: () => `/requests/${requestOfA}`,
    expect: (p) => ({ ...customersOnly(p), customerB: 404 }),
  },
  "files/[id].ts": {
    path: () => `/files/${fileOfA}`,
    expect: (p) => ({ ...signedIn(p), customerB: 404 }),
  },
  "staff/requests/index.astro": { path: () => "/staff/requests", expect: staffOnly },
  "staff/requests/[id].astro": { path: () => `/staff/requests/${requestOfA}`, expect: staffOnly },
  "staff/orders/[id].astro": { path: () => `/staff/orders/${orderOfA}`, expect: staffOnly },
  "staff/accounts/[id].astro": { path: () => `/staff/accounts/${accountOfA}`, expect: staffOnly },
  "staff/sites.astro": {
    path: () => "/staff/sites",
    expect: adminOnly,
  },
  "staff/sites/[id].astro": {
    path: () => `/staff/sites/${siteId}`,
    expect: adminOnly,
  },
  "staff/feedback/index.astro": { path: () => "/staff/feedback", expect: staffOnly },
  "staff/feedback/export.csv.ts": { path: () => "/staff/feedback/export.csv", expect: staffOnly },
  "staff/admin.astro": {
    path: () => "/staff/admin",
    expect: adminOnly,
  },
  "staff-invite.astro": { path: () => "/staff-invite?token=nope", expect: () => everyone(200) },
  "orders/[id].astro": {
    path: () => `/orders/${orderOfA}`,
    expect: (p) => ({ ...customersOnly(p), customerB: 404 }),
  },
  "requests/index.astro": { path: () => "/requests", expect: customersOnly },
  "requests/new.astro": { path: () => "/requests/new", expect: customersOnly },
  "feedback.astro": { path: () => "/feedback", expect: customersOnly },
  "account/index.astro": { path: () => "/account", expect: (p) => signedIn(p) },
  "account/export.ts": { path: () => "/account/export", expect: (p) => signedIn(p) },
  "account/resend-verification.ts": {
    method: "POST",
    path: () => "/account/resend-verification",
    expect: (p) => ({
      ...signedIn(p),
      customerA: "/?resent",
      customerB: "/?resent",
      agent: "/?resent",
      admin: "/?resent",
    }),
  },
  "staff/index.astro": {
    path: () => "/staff",
    expect: (p) => ({
      anonymous: signInFirst(p),
      customerA: 403,
      customerB: 403,
      agent: 200,
      admin: 200,
    }),
  },
  "staff/api-keys.astro": {
    path: () => "/staff/api-keys",
    expect: adminOnly,
  },
  "staff/audit.astro": { path: () => "/staff/audit", expect: adminOnly },
  "locale.ts": { method: "POST", path: () => "/locale", expect: () => everyone("/") },
  "sign-out.ts": {
    method: "POST",
    path: () => "/sign-out",
    expect: () => everyone("/sign-in?signedOut"),
  },
  "status.astro": { path: () => "/status", expect: () => everyone(200) },
  "403.astro": { path: () => "/403", expect: () => everyone(403) },
  "404.astro": { path: () => "/404", expect: () => everyone(404) },
  "500.astro": { path: () => "/500", expect: () => everyone(500) },
};

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(join(dir, e.name)) : [relative("site/pages", join(dir, e.name))],
  );
}

const signInCookie = (email: string) => apiSignIn(base, email);

beforeAll(async () => {
  for (const [who, email] of Object.entries(people))
    cookies[who as Who] = await signInCookie(email);
  const list = await fetch(`${base}/orders`, { headers: { cookie: cookies.customerA! } });
  orderOfA = /href="\/orders\/([\w-]+)"/.exec(await list.text())![1]!;
  // A request of A's with a file, made through the form as a customer would.
  const form = new FormData();
  form.set("subject", "Matrix request");
  form.set("message", "With a file");
  form.set("attachments", new Blob(["hello"], { type: "text/plain" }), "hello.txt");
  const created = await fetch(`${base}/requests/new`, {
    method: "POST",
    body: form,
    headers: { cookie: cookies.customerA!, origin: base },
    redirect: "manual",
  });
  requestOfA = /\/requests\/([\w-]+)\?created/.exec(created.headers.get("location") ?? "")![1]!;
  const page = await (
    await fetch(`${base}/requests/${requestOfA}`, { headers: { cookie: cookies.customerA! } })
  ).text();
  fileOfA = /href="\/files\/([\w-]+)"/.exec(page)![1]!;
  const staffPage = await (
    await fetch(`${base}/staff/requests/${requestOfA}`, { headers: { cookie: cookies.agent! } })
  ).text();
  accountOfA = /href="\/staff\/accounts\/([\w-]+)"/.exec(staffPage)![1]!;
  const sitesPage = await (
    await fetch(`${base}/staff/sites`, { headers: { cookie: cookies.admin! } })
  ).text();
  siteId = /href="\/staff\/sites\/([\w-]+)"/.exec(sitesPage)![1]!;
});

describe("attachment downloads", () => {
  it("are always downloads, never sniffed or rendered, under the name they were given", async () => {
    const res = await fetch(`${base}/files/${fileOfA}`, {
      headers: { cookie: cookies.customerA! },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''hello.txt");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    expect(await res.text()).toBe("hello");
  });
});

describe("page access matrix", () => {
  it("lists every file under site/pages", () => {
    expect(routeFiles("site/pages").sort()).toEqual(Object.keys(routes).sort());
  });

  const cases = Object.entries(routes).flatMap(([file, route]) =>
    (["anonymous", "customerA", "customerB", "agent", "admin"] as const).map(
      (who) => [file, who, route] as const,
    ),
  );

  it.each(cases)("%s as %s", async (_file, who, route) => {
    const path = route.path();
    // Signing out ends the session, so it gets a session of its own.
    const cookie =
      who === "anonymous"
        ? undefined
        : route.path() === "/sign-out"
          ? await signInCookie(people[who])
          : cookies[who];
    const res = await fetch(`${base}${path}`, {
      method: route.method ?? "GET",
      headers: { ...(cookie ? { cookie } : {}), origin: base },
      redirect: "manual",
    });
    const expected = route.expect(path)[who];
    if (typeof expected === "string") {
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(expected);
    } else {
      expect(res.status).toBe(expected);
    }
    expect(await res.text()).not.toMatch(/at \w+ \(|node_modules|Error:/);
  });
});

// The API doors beside the pages, enumerated from their own route tables: a session cookie never
// authenticates them, so every role gets exactly what a visitor gets.
describe("API door matrix", () => {
  const whos = ["anonymous", "customerA", "customerB", "agent", "admin"] as const;
  const withCookie = (who: Who, headers: Record<string, string> = {}) =>
    who === "anonymous" ? headers : { ...headers, cookie: cookies[who]! };

  const ingestCases = ingestRoutes.flatMap((route) => whos.map((who) => [route, who] as const));
  it.each(ingestCases)("ingest %o as %s", async (route, who) => {
    const res = await fetch(`${base}${INGEST_PATH}${route.path.replace("{externalId}", "X-1")}`, {
      method: route.method,
      headers: withCookie(who, { "content-type": "application/json", origin: base }),
      ...(route.method === "PUT" ? { body: "{}" } : {}),
    });
    // Only an API key with a signature opens the writing endpoints; the document is public.
    expect(res.status).toBe(route.auth === "public" ? 200 : 401);
    expect(await res.text()).not.toMatch(/at \w+ \(|node_modules/);
  });

  const widgetCases = Object.entries(widgetRouter._def.procedures).flatMap(([path, p]) =>
    whos.map((who) => [path, (p as { _def: { type: string } })._def.type, who] as const),
  );
  it.each(widgetCases)("widget %s (%s) as %s", async (path, type, who) => {
    const url = `${base}${WIDGET_PATH}/${path}`;
    const call = (origin: string) =>
      type === "query"
        ? fetch(`${url}?input=${encodeURIComponent("{}")}`, {
            headers: withCookie(who, { origin }),
          })
        : fetch(url, {
            method: "POST",
            headers: withCookie(who, { "content-type": "application/json", origin }),
            body: "{}",
          });
    // Another site's page is refused before anything is read; a site's own page gets the input
    // checked whoever is signed in to the portal (an empty input is never enough).
    expect((await call("https://evil.example")).status).toBe(403);
    const own = await call(inject("demoUrl"));
    expect(own.status).toBe(400);
    expect(own.headers.getSetCookie()).toEqual([]);
  });
});
