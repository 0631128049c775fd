// Widget abuse controls as an admin and a visitor meet them: switching the demo site off hides the
// widget on the product page's next view (without a failed request in its console), switching it on
// brings it back; a blocked address is refused politely; rates, senders and blocks on the site's page.
// A server of its own: switching the shared demo site off or blocking its visitor would upset other tests.
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "../helpers/axe";
import { hasChromium, signIn, useBrowserPage, watchForPageErrors } from "../helpers/browser";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

async function query<T>(sql: string, args: (string | number)[] = []): Promise<T[]> {
  // The server writes to the same file: wait for its lock rather than fail.
  const client = createClient({ url: server.dbUrl, timeout: 5000 });
  try {
    return (await client.execute({ sql, args })).rows as unknown as T[];
  } finally {
    client.close();
  }
}
const demoSite = async () =>
  (
    await query<{ id: string; public_key: string }>(
      "select id, public_key from sites where name = 'Demo shop'",
    )
  )[0]!;

describe("the widget door over HTTP", () => {
  it("answers 403 widget.siteDisabled to every call of a switched-off site, 200 {on:false} to the loader's question", async () => {
    const { id, public_key: site } = await demoSite();
    await query("update sites set disabled_at = ? where id = ?", [Date.now(), id]);
    try {
      const input = encodeURIComponent(JSON.stringify({ site }));
      const headers = { origin: server.demoUrl };
      const status = await fetch(`${server.url}/api/widget/status?input=${input}`, { headers });
      expect(status.status).toBe(200);
      expect(status.headers.get("access-control-allow-origin")).toBe(server.demoUrl);
      expect(await status.json()).toEqual({ result: { data: { on: false } } });
      const config = await fetch(`${server.url}/api/widget/config?input=${input}`, { headers });
      expect(config.status).toBe(403);
      expect(await config.json()).toMatchObject({ error: { message: "widget.siteDisabled" } });
      const sent = await fetch(`${server.url}/api/widget/feedback`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({
          site,
          idempotencyKey: "off-".padEnd(20, "0"),
          kind: "rating",
          score: 5,
        }),
      });
      expect(sent.status).toBe(403);
      expect(await sent.json()).toMatchObject({ error: { message: "widget.siteDisabled" } });
      expect(
        await query("select id from feedback where idempotency_key = ?", ["off-".padEnd(20, "0")]),
      ).toEqual([]);
    } finally {
      await query("update sites set disabled_at = null where id = ?", [id]);
    }
  });
});

describe.skipIf(!hasChromium)("abuse controls in the browser", () => {
  const ui = useBrowserPage();

  it("switching the site off hides the widget on the next page view; switching on brings it back", async () => {
    const { page, context } = ui;
    await signIn(page, server.url, "admin@example.com");
    await page.waitForURL(/\/staff/);
    await page.goto(`${server.url}/staff/sites`);
    await page.getByRole("button", { name: "Switch widget off: Demo shop" }).click();
    await page.getByText(/Widget switched off since/).waitFor();

    const shop = await context.newPage();
    // No failed request, script error or CSP report: nothing for the host page's console.
    const shopErrors = watchForPageErrors(shop);
    const requested: string[] = [];
    shop.on("request", (r) => requested.push(new URL(r.url()).pathname));
    await shop.goto(`${server.demoUrl}/`);
    await shop.waitForLoadState("networkidle");
    expect(await shop.locator("#tengsl-widget").count()).toBe(0);
    expect(await shop.getByRole("button", { name: "Feedback" }).count()).toBe(0);
    // It asked once and quietly (200); the panel was never loaded.
    expect(requested.filter((p) => p.startsWith("/widget") || p.startsWith("/api"))).toEqual([
      "/widget/v1/loader.js",
      "/api/widget/status",
    ]);

    await page.getByRole("button", { name: "Switch widget on: Demo shop" }).click();
    await page.getByRole("button", { name: "Switch widget off: Demo shop" }).waitFor();
    await shop.reload();
    await shop.getByRole("button", { name: "Feedback" }).waitFor();
    expect(shopErrors).toEqual([]);
  });

  it("blocks the busiest sender from the site's page; the visitor is told politely and nothing is stored", async () => {
    const { page, context } = ui;
    const { id, public_key: site } = await demoSite();
    // Traffic: three submissions from this machine now, and a spike two hours ago.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/api/widget/feedback`, {
        method: "POST",
        headers: { origin: server.demoUrl, "content-type": "application/json" },
        body: JSON.stringify({
          site,
          idempotencyKey: `busy-${String(i).padStart(16, "0")}`,
          kind: "rating",
          score: 4,
        }),
      });
      expect(res.status).toBe(200);
    }
    const hour = 3_600_000;
    const spikeHour = Date.now() - (Date.now() % hour) - 2 * hour;
    for (let i = 0; i < 14; i++)
      await query(
        "insert into feedback (id, kind, score, locale, site_id, idempotency_key, created_at) values (?, 'rating', 5, 'en', ?, ?, ?)",
        [`spike-${i}`, id, `spike-key-${String(i).padStart(10, "0")}`, spikeHour + i * 60_000],
      );

    await signIn(page, server.url, "admin@example.com");
    await page.waitForURL(/\/staff/);
    await page.goto(`${server.url}/staff/sites`);
    await page.getByRole("link", { name: "Traffic and blocks" }).click();
    await page.getByRole("heading", { name: "Demo shop: traffic and blocks" }).waitFor();
    await page
      .getByText("An hour is marked as a spike when it has more than 10 submissions")
      .waitFor();
    expect(await page.getByRole("listitem").filter({ hasText: ": 14 submissions" }).count()).toBe(
      1,
    );
    const row = page.getByRole("row", { name: /127\.0\.0\.1/ });
    expect(await row.getByRole("cell").nth(1).textContent()).toBe("3");
    expect(await seriousViolations(page)).toEqual([]);

    // Bad input is explained and changes nothing.
    await page.getByLabel("IP address or visitor id").fill("not an address");
    await page.getByRole("button", { name: "Block", exact: true }).click();
    await page
      .getByRole("alert")
      .getByText(/Enter an IP address such as/)
      .waitFor();
    expect(await query("select id from widget_blocks")).toEqual([]);

    await row.getByLabel("For").selectOption("1");
    await row.getByRole("button", { name: "Block: 127.0.0.1" }).click();
    const blocks = page.getByRole("region", { name: "Active blocks" });
    await blocks.getByRole("cell", { name: "127.0.0.1", exact: true }).waitFor();

    // The visitor on the product page is refused kindly; nothing is stored.
    const shop = await context.newPage();
    const shopErrors = watchForPageErrors(shop);
    await shop.goto(`${server.demoUrl}/`);
    await shop.getByRole("button", { name: "Feedback" }).click();
    await shop.getByRole("radio", { name: "2 of 5" }).check();
    await shop.getByLabel("Comment (optional)").fill("Sent while blocked");
    await shop.getByRole("button", { name: "Send" }).click();
    await shop.getByText("You can't send feedback from here right now.").waitFor();
    expect(shopErrors).toEqual([`403 ${server.url}/api/widget/feedback`]);
    expect(
      await query("select id from feedback where comment = ?", ["Sent while blocked"]),
    ).toEqual([]);
    expect(await shop.evaluate(() => localStorage.getItem("tengsl:pending"))).toBeNull();
    // The form stays as the visitor left it, and the focus is back on its button.
    expect(await shop.getByLabel("Comment (optional)").inputValue()).toBe("Sent while blocked");
    const send = shop.getByRole("button", { name: "Send" });
    expect(await send.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(
      true,
    );

    await blocks.getByRole("button", { name: "Unblock: 127.0.0.1" }).click();
    await page.getByText("No active blocks.").waitFor();
    expect(await query("select id from widget_blocks")).toEqual([]);
  });

  it("answers 404 for a site that does not exist", async () => {
    await signIn(ui.page, server.url, "admin@example.com");
    await ui.page.waitForURL(/\/staff/);
    const res = await ui.page.goto(`${server.url}/staff/sites/no-such-site`);
    expect(res?.status()).toBe(404);
  });
});
