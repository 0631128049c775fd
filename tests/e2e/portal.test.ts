// Orders, account and data rights in Chromium, with data that arrived through the ingest API and mail
// read from the files the server writes.
import { describe, expect, inject, it } from "vitest";
import { orderBody } from "../factories/orders";
import { hasChromium, signIn, useBrowserPage } from "../helpers/browser";
import { createApiKey, put } from "../helpers/ingest";
import { waitForLink } from "../helpers/mail-files";

const base = inject("baseUrl");
const mailDir = inject("mailDir");

describe.skipIf(!hasChromium)("the portal in the browser", () => {
  const ui = useBrowserPage();

  it("filters and searches orders, opens one, and shows its shipment and timeline", async () => {
    await signIn(ui.page, base, "jon@nordurljos.example.com");
    await ui.page.waitForURL(`${base}/`);
    await ui.page.getByRole("link", { name: "Orders", exact: true }).click();
    await ui.page.waitForURL(`${base}/orders`);
    const rows = ui.page.locator("tbody tr");
    expect(await rows.count()).toBe(20);
    expect(await ui.page.getByRole("columnheader", { name: "Placed by" }).count()).toBe(1);

    await ui.page.getByLabel("Status").selectOption("shipped");
    await ui.page.getByRole("button", { name: "Show" }).click();
    await ui.page.waitForURL(/status=shipped/);
    const shippedCount = await rows.count();
    expect(shippedCount).toBeGreaterThan(0);
    expect(await ui.page.locator("tbody .status").allTextContents()).toEqual(
      Array(shippedCount).fill("Shipped"),
    );

    await ui.page.getByRole("link", { name: "Clear filters" }).first().click();
    await ui.page.getByLabel("Search").fill("Tjald");
    await ui.page.getByRole("button", { name: "Show" }).click();
    await ui.page.waitForURL(/q=Tjald/);
    const found = await rows.count();
    expect(found).toBeGreaterThan(0);

    await ui.page.getByLabel("Search").fill("no such product anywhere");
    await ui.page.getByRole("button", { name: "Show" }).click();
    expect(
      await ui.page.getByRole("heading", { name: "No orders match these filters." }).count(),
    ).toBe(1);

    // A date range that ends before it starts is refused beside its field, not shown as no orders.
    const refused = await ui.page.goto(`${base}/orders?from=2026-02-01&to=2026-01-01`);
    expect(refused!.status()).toBe(400);
    await ui.page
      .getByRole("alert")
      .getByText("The end date must be after the start date.")
      .waitFor();
    expect(await ui.page.getByLabel("Placed to").getAttribute("aria-invalid")).toBe("true");
    expect(await ui.page.getByLabel("Placed to").inputValue()).toBe("2026-01-01");
    expect(
      await ui.page.getByRole("heading", { name: "No orders match these filters." }).count(),
    ).toBe(0);

    await ui.page.goto(`${base}/orders?status=shipped`);
    await rows.first().getByRole("link").click();
    await ui.page.waitForURL(/\/orders\/[\w-]+$/);
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toMatch(/^Order #\d+$/);
    expect(await ui.page.getByText(/Tracking number:/).count()).toBe(1);
    const track = ui.page.getByRole("link", { name: /^Track with (Pósturinn|DHL)$/ });
    expect(await track.getAttribute("href")).toMatch(/^https:\/\/(posturinn\.is|www\.dhl\.com)\//);
    const timeline = await ui.page.locator(".timeline li .strong").allTextContents();
    expect(timeline).toEqual(["Received", "Being prepared", "Shipped"]);
    expect(
      await ui.page.getByRole("link", { name: "Get help with this order" }).getAttribute("href"),
    ).toMatch(/^\/requests\/new\?order=/);
  });

  it("formats amounts and dates for is-IS in Icelandic", async () => {
    const icelandic = await ui.browser.newContext({ locale: "is-IS" });
    const p = await icelandic.newPage();
    await p.goto(`${base}/sign-in`);
    await p.getByLabel("Netfang").fill("anna@example.com");
    await p.getByLabel("Lykilorð").fill("tengsl-demo");
    await p.getByRole("button", { name: "Skrá inn" }).click();
    await p.waitForURL(`${base}/`);
    await p.goto(`${base}/orders`);
    const totals = await p.locator("tbody td.num").allTextContents();
    expect(totals.length).toBeGreaterThan(0);
    for (const total of totals) expect(total).toMatch(/^\d{1,3}(\.\d{3})*\u00a0kr\.$/);
    const dates = await p.locator("tbody tr td:nth-child(2)").allTextContents();
    for (const date of dates)
      expect(date).toMatch(/^\d{1,2}\. (jan|feb|mar|apr|maí|jún|júl|ágú|sep|okt|nóv|des)\. \d{4}$/);
    await icelandic.close();
  });

  it("attaches a new sign-up to their ingested orders once the mailed link confirms the address", async () => {
    const stamp = Date.now();
    const email = `buyer-${stamp}@example.com`;
    const key = await createApiKey(base, "Browser test shop");
    const customer = { kind: "person", name: "Kaupandi", contacts: [{ email, name: "Kaupandi" }] };
    expect((await put(base, key, `/customers/B-${stamp}`, customer)).status).toBe(201);
    const number = `W-${stamp}`;
    expect(
      (await put(base, key, `/orders/${number}`, orderBody(`B-${stamp}`, { number }))).status,
    ).toBe(201);

    await ui.page.goto(`${base}/sign-up`);
    await ui.page.getByLabel("Full name").fill("Kaupandi");
    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByLabel("Password").fill("a long enough password");
    await ui.page.getByRole("button", { name: "Create account" }).click();
    await ui.page.waitForURL(`${base}/`);
    expect(await ui.page.getByRole("status").textContent()).toContain(
      "Please confirm your email address",
    );
    expect(await ui.page.getByText(`#${number}`).count()).toBe(0);

    const link = await waitForLink(mailDir, email, `${base}/verify-email?token=`);
    await ui.page.goto(link);
    // Opening the link changes nothing until the person confirms.
    expect(await ui.page.getByText(`Confirm that ${email} is your address.`).count()).toBe(1);
    await ui.page.getByRole("button", { name: "Confirm", exact: true }).click();
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "Email address confirmed",
    );
    await ui.page.getByRole("link", { name: "Continue" }).click();
    await ui.page.waitForURL(`${base}/`);
    expect(await ui.page.getByRole("link", { name: `#${number}` }).count()).toBe(1);
    expect(await ui.page.getByText("Please confirm your email address").count()).toBe(0);
  });

  it("resets a forgotten password from the mailed link", async () => {
    const email = `forgetful-${Date.now()}@example.com`;
    await ui.page.goto(`${base}/sign-up`);
    await ui.page.getByLabel("Full name").fill("Gleyminn");
    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByLabel("Password").fill("the first password");
    await ui.page.getByRole("button", { name: "Create account" }).click();
    await ui.page.waitForURL(`${base}/`);
    await ui.page.getByRole("button", { name: "Sign out" }).click();

    await ui.page.getByRole("link", { name: "Forgot your password?" }).click();
    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByRole("button", { name: "Send link" }).click();
    expect(await ui.page.getByRole("status").textContent()).toContain("we sent it a link");

    const link = await waitForLink(mailDir, email, `${base}/reset-password?token=`);
    await ui.page.goto(link);
    await ui.page.getByLabel("New password").fill("short");
    await ui.page.getByRole("button", { name: "Save new password" }).click();
    expect(await ui.page.getByRole("alert").textContent()).toContain("at least 10 characters");
    await ui.page.getByLabel("New password").fill("the second password");
    await ui.page.getByRole("button", { name: "Save new password" }).click();
    await ui.page.waitForURL(/\/sign-in\?reset/);
    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByLabel("Password").fill("the second password");
    await ui.page.getByRole("button", { name: "Sign in" }).click();
    await ui.page.waitForURL(`${base}/`);

    await ui.page.goto(link);
    await ui.page.getByLabel("New password").fill("a third password here");
    await ui.page.getByRole("button", { name: "Save new password" }).click();
    expect(await ui.page.getByRole("alert").textContent()).toContain("does not work any more");
  });

  it("downloads the person's data and deletes the account", async () => {
    const email = `leaving-${Date.now()}@example.com`;
    await ui.page.goto(`${base}/sign-up`);
    await ui.page.getByLabel("Full name").fill("Fer Burt");
    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByLabel("Password").fill("a long enough password");
    await ui.page.getByRole("button", { name: "Create account" }).click();
    await ui.page.waitForURL(`${base}/`);
    await ui.page.goto(`${base}/account`);

    const [download] = await Promise.all([
      ui.page.waitForEvent("download"),
      ui.page.getByRole("link", { name: "Download my data" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^tengsl-data-\d{4}-\d{2}-\d{2}\.json$/);
    const { readFileSync } = await import("node:fs");
    const data = JSON.parse(readFileSync(await download.path(), "utf8")) as {
      profile: { email: string };
    };
    expect(data.profile.email).toBe(email);

    await ui.page.getByLabel("Current password").last().fill("wrong password");
    await ui.page.getByRole("button", { name: "Delete my account for good" }).click();
    expect(await ui.page.getByRole("alert").textContent()).toContain("The password is not right.");
    await ui.page.getByLabel("Current password").last().fill("a long enough password");
    await ui.page.getByRole("button", { name: "Delete my account for good" }).click();
    await ui.page.waitForURL(/\/sign-in\?deleted/);
    expect((await ui.page.getByRole("status").textContent())?.trim()).toBe(
      "Your account was deleted.",
    );
    await signIn(ui.page, base, email, "a long enough password");
    expect(await ui.page.getByRole("alert").textContent()).toContain("Email or password is wrong.");
  });

  it("lets an admin make an API key, shown once, and revoke it", async () => {
    await signIn(ui.page, base, "admin@example.com");
    await ui.page.getByRole("link", { name: "API keys" }).click();
    await ui.page.getByRole("button", { name: "Create key" }).click();
    expect(await ui.page.getByRole("alert").textContent()).toContain("Give the key a name.");
    await ui.page.getByLabel("Name").fill("ERP");
    await ui.page.getByRole("button", { name: "Create key" }).click();
    const key = (await ui.page.locator(".key-reveal code").textContent())!;
    expect(key).toMatch(/^tsk_/);
    await ui.page.goto(`${base}/staff/api-keys`);
    expect(await ui.page.getByText(key).count()).toBe(0);
    await ui.page.getByRole("button", { name: "Revoke: ERP" }).click();
    await expect
      .poll(() =>
        ui.page
          .getByRole("row", { name: /ERP/ })
          .getByText(/Revoked \d/)
          .count(),
      )
      .toBe(1);
    const res = await put(base, key, "/customers/REVOKED", { kind: "person", name: "X" });
    expect(res.status).toBe(401);
  });

  it("shows another account's order to no one", async () => {
    await signIn(ui.page, base, "anna@example.com");
    await ui.page.waitForURL(`${base}/`);
    const annas = await ui.page.locator(".order-list a").first().getAttribute("href");
    await ui.context.clearCookies();
    await signIn(ui.page, base, "jon@nordurljos.example.com");
    await ui.page.waitForURL(`${base}/`);
    const response = await ui.page.goto(`${base}${annas}`);
    expect(response?.status()).toBe(404);
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe("Page not found");
  });
});
