// The widget as a company's visitors meet it: on the demo product page (another origin, hostile CSS,
// strict CSP), over the CORS door, offline, and within its size budget.
import { createClient } from "@libsql/client";
import { describe, expect, inject, it } from "vitest";
import { WIDGET_BUDGETS, WIDGET_TOTAL_BUDGET, widgetSizes } from "../../scripts/widget-sizes.mjs";
import { hasChromium, useBrowserPage } from "../helpers/browser";
import { startServer } from "../helpers/server";

const base = inject("baseUrl");
const dbUrl = inject("dbUrl");
const demoUrl = inject("demoUrl");

async function query<T>(sql: string, args: string[] = []): Promise<T[]> {
  const client = createClient({ url: dbUrl });
  try {
    return (await client.execute({ sql, args })).rows as unknown as T[];
  } finally {
    client.close();
  }
}
const demoKey = async () =>
  (await query<{ public_key: string }>("select public_key from sites where name = 'Demo shop'"))[0]!
    .public_key;

describe("the widget's cost", () => {
  it("stays within budget: loader ≤ 1 KB and everything ≤ 15 KB gzipped", () => {
    const sizes = widgetSizes();
    expect(sizes["loader.js"]).toBeLessThanOrEqual(WIDGET_BUDGETS["loader.js"]);
    expect(Object.values(sizes).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(
      WIDGET_TOTAL_BUDGET,
    );
  });

  it("is served for any page to load, with caching", async () => {
    const res = await fetch(`${base}/widget/v1/loader.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect((await fetch(`${base}/widget/v1/../../etc/passwd`)).status).toBe(404);
  });
});

describe("the widget door over HTTP", () => {
  const post = (path: string, body: unknown, origin: string) =>
    fetch(`${base}/api/widget/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify(body),
    });

  it("grants CORS to the site's origins alone", async () => {
    const allowed = await fetch(`${base}/api/widget/feedback`, {
      method: "OPTIONS",
      headers: { origin: demoUrl, "access-control-request-method": "POST" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(demoUrl);
    const foreign = await fetch(`${base}/api/widget/feedback`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const refused = await post(
      "feedback",
      { site: await demoKey(), idempotencyKey: "k".repeat(20), kind: "rating", score: 5 },
      "https://evil.example",
    );
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("limits a visitor's submissions with 429 and Retry-After", async () => {
    // A server of its own: using up the limit here must not block the other tests' visitor.
    const server = await startServer();
    try {
      const client = createClient({ url: server.dbUrl });
      const [row] = (await client.execute("select public_key from sites where name = 'Demo shop'"))
        .rows as unknown as { public_key: string }[];
      const key = row!.public_key;
      client.close();
      let last: Response | undefined;
      for (let i = 0; i < 21; i++) {
        last = await fetch(`${server.url}/api/widget/feedback`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: server.demoUrl },
          body: JSON.stringify({
            site: key,
            idempotencyKey: `rate-${String(i).padStart(16, "0")}`,
            kind: "rating",
            score: 4,
          }),
        });
      }
      expect(last!.status).toBe(429);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await last!.json()).toMatchObject({ error: { message: "widget.tooMany" } });
    } finally {
      await server.stop();
    }
  });

  it("answers bad input with a message key the widget shows, and stores nothing", async () => {
    const unknown = await post(
      "feedback",
      { site: "ts_unknown_site", idempotencyKey: "u".repeat(20), kind: "rating", score: 5 },
      demoUrl,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { message: "widget.unknownSite" } });
    const long = await post(
      "feedback",
      {
        site: await demoKey(),
        idempotencyKey: "l".repeat(20),
        kind: "comment",
        comment: "x".repeat(2001),
      },
      demoUrl,
    );
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({
      error: { data: { fieldErrors: { comment: ["widget.commentTooLong"] } } },
    });
    const wrongHash = await post(
      "feedback",
      {
        site: await demoKey(),
        idempotencyKey: "h".repeat(20),
        kind: "nps",
        score: 3,
        identity: { userId: "C-1001", userHash: "0".repeat(64) },
      },
      demoUrl,
    );
    expect(wrongHash.status).toBe(401);
    expect(
      await query("select id from feedback where idempotency_key in (?, ?, ?)", [
        "u".repeat(20),
        "l".repeat(20),
        "h".repeat(20),
      ]),
    ).toEqual([]);
  });
});

describe.skipIf(!hasChromium)("the widget in the browser", () => {
  const ui = useBrowserPage();

  it("works on another origin under hostile CSS and a strict CSP, asking only whether the site is on before interaction", async () => {
    const requested: string[] = [];
    ui.page.on("request", (r) => requested.push(new URL(r.url()).pathname));
    await ui.page.goto(`${demoUrl}/`);
    await ui.page.waitForLoadState("networkidle");
    expect(requested.filter((p) => p.startsWith("/widget") || p.startsWith("/api"))).toEqual([
      "/widget/v1/loader.js",
      "/api/widget/status",
    ]);

    const launcher = ui.page.getByRole("button", { name: "Feedback" });
    await launcher.focus();
    await ui.page.keyboard.press("Enter");
    const dialog = ui.page.getByRole("dialog", { name: "Tell us what you think" });
    await dialog.waitFor();
    expect(await dialog.evaluate((el) => getComputedStyle(el).position)).toBe("fixed"); // host CSS did not reach it
    await ui.page.getByRole("radio", { name: "5 of 5" }).check();
    await ui.page.getByLabel("Comment (optional)").fill("Beautiful wool, arrived fast");
    await ui.page.getByRole("button", { name: "Send" }).click();
    await ui.page.getByText("Thank you! We got it.").waitFor();
    const rows = await query<{ score: number; product_ref: string }>(
      "select score, product_ref from feedback where comment = ?",
      ["Beautiful wool, arrived fast"],
    );
    expect(rows.map((r) => [r.score, r.product_ref])).toEqual([[5, "LOPI-001"]]);

    await ui.page.keyboard.press("Escape");
    await expect.poll(() => ui.page.getByRole("dialog").count()).toBe(0);
    expect(
      await launcher.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    ).toBe(true);
  });

  it("looks the same on a page with hostile CSS as on a plain page, and shifts no layout", async () => {
    const shots: Buffer[] = [];
    for (const path of ["/?plain", "/"]) {
      await ui.page.goto(`${demoUrl}${path}`);
      await ui.page.getByRole("button", { name: "Feedback" }).click();
      const dialog = ui.page.getByRole("dialog");
      await dialog.waitFor();
      await ui.page.waitForTimeout(400); // past the opening animation
      // The panel's own area (its corners and shadow blend with whatever page is behind).
      shots.push(await dialog.locator("form").screenshot({ animations: "disabled" }));
      shots.push(await dialog.getByRole("tablist").screenshot({ animations: "disabled" }));
      const shift = await ui.page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            let total = 0;
            new PerformanceObserver((list) => {
              for (const entry of list.getEntries())
                total += (entry as unknown as { value: number }).value;
            }).observe({ type: "layout-shift", buffered: true });
            setTimeout(() => resolve(total), 100);
          }),
      );
      expect(shift).toBe(0);
    }
    expect(shots[2]!.equals(shots[0]!)).toBe(true);
    expect(shots[3]!.equals(shots[1]!)).toBe(true);
  });

  it("explains a bad field in the visitor's words, stores nothing, and keeps what was typed to mend it", async () => {
    await ui.page.goto(`${demoUrl}/`);
    await ui.page.getByRole("button", { name: "Feedback" }).click();
    await ui.page.getByRole("tab", { name: "Ask for help" }).click();
    await ui.page.getByLabel("Your name").fill("Gestur");
    await ui.page.getByLabel("Your email").evaluate((el) => el.setAttribute("type", "text")); // past the browser's own check
    await ui.page.getByLabel("Your email").fill("not-an-email@");
    await ui.page.getByLabel("Subject").fill("Bad email");
    await ui.page.getByLabel("How can we help?").fill("Hello");
    ui.expected.push(/^400 .*\/api\/widget\/request$/);
    await ui.page.getByRole("button", { name: "Send" }).click();
    await ui.page.getByText("Enter an email address like name@example.com.").waitFor();
    expect(await query("select id from requests where subject = ?", ["Bad email"])).toEqual([]);

    // The form stays, with what was typed; the refused field is marked, described and focused.
    const email = ui.page.getByLabel("Your email");
    expect(await ui.page.getByLabel("How can we help?").inputValue()).toBe("Hello");
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    expect(
      await email.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    ).toBe(true);
    const described = await email.getAttribute("aria-describedby");
    expect(await ui.page.locator(`#${described}`).textContent()).toBe(
      "Enter an email address like name@example.com.",
    );
    await email.fill("gestur@example.com");
    await ui.page.getByRole("button", { name: "Send" }).click();
    await ui.page.getByText(/Your request #\d+ is with our team/).waitFor();
    expect(await query("select id from requests where subject = ?", ["Bad email"])).toHaveLength(1);
  });

  it("keeps a submission made offline and sends it exactly once when back online", async () => {
    await ui.page.goto(`${demoUrl}/`);
    await ui.page.getByRole("button", { name: "Feedback" }).click();
    await ui.page.getByRole("tab", { name: "Recommend" }).click();
    await ui.context.setOffline(true);
    await ui.page.getByRole("radio", { name: "2" }).check();
    await ui.page.getByLabel(/main reason/).fill("Offline but honest");
    await ui.page.getByRole("button", { name: "Send" }).click();
    await ui.page.getByText("You seem to be offline. We will send it as soon as we can.").waitFor();
    expect(
      await query("select id from feedback where comment = ?", ["Offline but honest"]),
    ).toEqual([]);
    await ui.context.setOffline(false);
    await expect
      .poll(
        async () =>
          (await query("select id from feedback where comment = ?", ["Offline but honest"])).length,
        { timeout: 10_000 },
      )
      .toBe(1);
    // A later page view finds nothing left to send, and nothing is sent twice.
    await ui.page.reload();
    await ui.page.waitForLoadState("networkidle");
    expect(await ui.page.evaluate(() => localStorage.getItem("tengsl:pending"))).toBeNull();
    expect(
      (await query("select id from feedback where comment = ?", ["Offline but honest"])).length,
    ).toBe(1);
  });

  it("keeps a submission while the server is down and stores it once when it is back", async () => {
    const first = await startServer({}, { keep: true });
    let second: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      const page = ui.page;
      await page.goto(`${first.demoUrl}/`);
      await page.getByRole("button", { name: "Feedback" }).click();
      await page.getByRole("radio", { name: "1 of 5" }).check();
      await page.getByLabel("Comment (optional)").fill("Sent while the server was down");
      const port = new URL(first.url).port;
      await first.stop(); // the portal (and the demo page's own server) are gone; the page stays open
      ui.expected.push(/ERR_CONNECTION_REFUSED|Failed to fetch/);
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByText("You seem to be offline. We will send it as soon as we can.").waitFor();
      second = await startServer({ PORT: port, DATABASE_URL: first.dbUrl, DEMO_PORT: "0" });
      const count = async () => {
        const client = createClient({ url: first.dbUrl });
        try {
          return Number(
            (
              await client.execute({
                sql: "select count(*) n from feedback where comment = ?",
                args: ["Sent while the server was down"],
              })
            ).rows[0]?.n,
          );
        } finally {
          client.close();
        }
      };
      await expect.poll(count, { timeout: 15_000 }).toBe(1);
      await page.waitForTimeout(3000); // later retries, if any, must not add a second row
      expect(await count()).toBe(1);
    } finally {
      await second?.stop();
    }
  });

  it("retries after a server error and is stored once", async () => {
    let failures = 1;
    ui.expected.push(/^503 .*\/api\/widget\/feedback$/);
    await ui.page.route("**/api/widget/feedback", async (route) => {
      if (failures-- > 0)
        return route.fulfill({
          status: 503,
          body: "{}",
          headers: { "access-control-allow-origin": demoUrl },
        });
      return route.continue();
    });
    await ui.page.goto(`${demoUrl}/`);
    await ui.page.getByRole("button", { name: "Feedback" }).click();
    await ui.page.getByRole("radio", { name: "3 of 5" }).check();
    await ui.page.getByLabel("Comment (optional)").fill("Second time lucky");
    await ui.page.getByRole("button", { name: "Send" }).click();
    await expect
      .poll(
        async () =>
          (await query("select id from feedback where comment = ?", ["Second time lucky"])).length,
        { timeout: 10_000 },
      )
      .toBe(1);
  });
});
