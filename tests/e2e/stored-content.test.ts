// Script-bearing text in every field people write that staff or customers see, through the doors
// people use (forms, tRPC, widget, ingest), then every page that shows it opened in Chromium: no
// script runs, no element is made from the text, no javascript: link, and the text shows as text.
// A server of its own, so that the hostile data and the widget traffic stay out of other tests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderBody } from "../factories/orders";
import { hasChromium, useBrowserPage } from "../helpers/browser";
import { createApiKey, put } from "../helpers/ingest";
import { startServer, type RunningServer } from "../helpers/server";
import { apiSignIn } from "../helpers/two-factor";

/** Fits the shortest field (names, 100 characters). */
const P = `"><img src=x onerror=window.__xss=1><script>window.__xss=1</script>`;
/** For longer text: raw HTML links and a markdown link to javascript:. */
const M = `${P} [click](javascript:window.__xss=1) <a href="javascript:window.__xss=1">x</a>`;
const FILE = `"><img src=x onerror=window.__xss=1>.txt`;

let server: RunningServer;
let base = "";
const cookies = { customer: "", agent: "", admin: "" };
const ids = { request: "", widgetRequest: "", account: "", customerAccount: "", order: "" };

/** The session cookie of a demo person (the demo admin answers the two-factor step). */
const signIn = (email: string): Promise<string> => apiSignIn(base, email);

async function trpc<T = unknown>(path: string, cookie: string, input?: unknown): Promise<T> {
  const res =
    input === undefined
      ? await fetch(`${base}/api/trpc/${path}`, { headers: { cookie } })
      : await fetch(`${base}/api/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: base, cookie },
          body: JSON.stringify({ json: input }),
        });
  const body = (await res.json()) as { result?: { data: { json: T } } };
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body.result!.data.json;
}
const query = <T>(path: string, cookie: string, input: unknown) =>
  trpc<T>(`${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, cookie);

async function widget(path: string, body: Record<string, unknown>, siteKey: string) {
  const res = await fetch(`${base}/api/widget/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.demoUrl },
    body: JSON.stringify({ site: siteKey, idempotencyKey: `xss-${path}-${Date.now()}`, ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

beforeAll(async () => {
  if (!hasChromium) return;
  server = await startServer();
  base = server.url;
  cookies.customer = await signIn("anna@example.com");
  cookies.agent = await signIn("agent@example.com");
  cookies.admin = await signIn("admin@example.com");

  // Admin-written names: category, canned reply, site, API key.
  await trpc("staff.admin.createCategory", cookies.admin, { nameEn: P, nameIs: P });
  await trpc("staff.admin.createCannedReply", cookies.admin, { title: P, body: M });
  await trpc("staff.sites.create", cookies.admin, { name: P, allowedOrigins: [server.demoUrl] });
  const key = await createApiKey(base, P);

  // A company system's account, contact and order.
  const account = await put(base, key, "/customers/XSS-1", {
    kind: "business",
    name: P,
    contacts: [{ email: "xss@example.com", name: P, isAdmin: true }],
  });
  ids.account = ((await account.json()) as { id: string }).id;
  const order = await put(base, key, "/orders/XSS-ORDER", {
    ...orderBody("XSS-1"),
    placedBy: { email: "xss@example.com", name: P },
    items: [{ sku: "XSS", name: P, quantity: 1, unitPrice: 100, lineTotal: 100 }],
    subtotal: 100,
    tax: 0,
    shipping: 0,
    total: 100,
  });
  ids.order = ((await order.json()) as { id: string }).id;

  // The customer: their name, a request with a file, a reply, feedback.
  await trpc("account.setName", cookies.customer, { name: P });
  const form = new FormData();
  form.set("subject", P);
  form.set("message", M);
  form.set("attachments", new Blob(["hello"], { type: "text/plain" }), FILE);
  const created = await fetch(`${base}/requests/new`, {
    method: "POST",
    body: form,
    headers: { cookie: cookies.customer, origin: base },
    redirect: "manual",
  });
  ids.request = /\/requests\/([\w-]+)\?created/.exec(created.headers.get("location") ?? "")![1]!;
  await trpc("portal.requests.reply", cookies.customer, { id: ids.request, message: M });
  await trpc("portal.feedback.give", cookies.customer, { kind: "comment", comment: M });

  // Staff answers and notes.
  await trpc("staff.requests.reply", cookies.agent, {
    id: ids.request,
    kind: "public",
    message: M,
  });
  await trpc("staff.requests.reply", cookies.agent, { id: ids.request, kind: "note", message: M });

  const staffPage = await (
    await fetch(`${base}/staff/requests/${ids.request}`, { headers: { cookie: cookies.agent } })
  ).text();
  ids.customerAccount = /href="\/staff\/accounts\/([\w-]+)"/.exec(staffPage)![1]!;

  // A visitor on a company page, through the widget of the hostile-named site.
  const sites = await trpc<{ name: string; publicKey: string }[]>(
    "staff.sites.list",
    cookies.admin,
  );
  const siteKey = sites.find((s) => s.name === P)!.publicKey;
  const page = { pageUrl: "javascript:window.__xss=1", pageTitle: P, product: P };
  await widget("feedback", { ...page, kind: "comment", comment: M }, siteKey);
  await widget(
    "request",
    { ...page, name: P, email: "visitor@example.com", subject: `${P} w`, message: M },
    siteKey,
  );
  const inbox = await query<{ items: { id: string; subject: string }[] }>(
    "staff.requests.inbox",
    cookies.agent,
    {},
  );
  ids.widgetRequest = inbox.items.find((r) => r.subject === `${P} w`)!.id;
});
afterAll(() => server?.stop());

/** Page, who opens it, its path, and whether it shows people's text (the staff home shows counts only). */
const pages: [string, keyof typeof cookies, () => string, boolean?][] = [
  ["home", "customer", () => "/"],
  ["account", "customer", () => "/account"],
  ["requests", "customer", () => "/requests"],
  ["request", "customer", () => `/requests/${ids.request}`],
  ["new request (categories)", "customer", () => "/requests/new"],
  ["feedback", "customer", () => "/feedback"],
  ["staff home", "agent", () => "/staff", false],
  ["inbox", "agent", () => "/staff/requests"],
  ["staff request", "agent", () => `/staff/requests/${ids.request}`],
  ["widget request", "agent", () => `/staff/requests/${ids.widgetRequest}`],
  ["business account", "agent", () => `/staff/accounts/${ids.account}`],
  ["customer's account", "agent", () => `/staff/accounts/${ids.customerAccount}`],
  ["order", "agent", () => `/staff/orders/${ids.order}`],
  ["feedback analytics", "agent", () => "/staff/feedback"],
  ["admin", "admin", () => "/staff/admin"],
  ["sites", "admin", () => "/staff/sites"],
  ["API keys", "admin", () => "/staff/api-keys"],
];

describe.skipIf(!hasChromium)("script-bearing text people wrote", () => {
  const ui = useBrowserPage();

  it.each(pages)(
    "is shown as text on the %s page (as %s)",
    async (_name, who, path, showsText = true) => {
      const [name, value] = cookies[who].split("=") as [string, string];
      await ui.context.addCookies([{ name, value, url: base }]);
      let dialogs = 0;
      ui.page.on("dialog", (d) => {
        dialogs++;
        void d.dismiss();
      });
      const res = await ui.page.goto(`${base}${path()}`);
      expect(res?.status()).toBe(200);
      await ui.page.waitForLoadState("load");
      const seen = await ui.page.evaluate(() => ({
        xss: (window as { __xss?: unknown }).__xss,
        madeElements: document.querySelectorAll('img[src="x"], [onerror], body script:not([src])')
          .length,
        scriptLinks: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]')
          .length,
        text: document.body.innerText,
      }));
      expect(seen.xss).toBeUndefined();
      expect(dialogs).toBe(0);
      expect(seen.madeElements).toBe(0);
      expect(seen.scriptLinks).toBe(0);
      if (showsText) expect(seen.text).toContain("<img src=x onerror=window.__xss=1>");
    },
  );
});

describe.skipIf(!hasChromium)("a hostile file name", () => {
  it("is sent only as an attachment, under a storage name of Tengsl's own", async () => {
    const page = await (
      await fetch(`${base}/requests/${ids.request}`, { headers: { cookie: cookies.customer } })
    ).text();
    const fileId = /href="\/files\/([\w-]+)"/.exec(page)![1]!;
    expect(fileId).toMatch(/^[\w-]{16,}$/);
    const res = await fetch(`${base}/files/${fileId}`, { headers: { cookie: cookies.customer } });
    expect(res.status).toBe(200);
    const disposition = res.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(/^attachment; filename\*=UTF-8''/);
    expect(disposition).not.toMatch(/[<>"]/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
