// Support requests end to end in Chromium: the customer asks about an order with a file, the agent sees it
// arrive live, answers with a canned reply and a note, the customer sees the answer live (served by a
// second server process on the same database) and rates the help. Also: stored XSS stays inert.
import { readdirSync, readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { pngBytes } from "../factories/requests";
import { hasChromium, signIn, useBrowserPage } from "../helpers/browser";
import { startServer, type RunningServer } from "../helpers/server";

const base = inject("baseUrl");
const dbUrl = inject("dbUrl");
const mailDir = inject("mailDir");

describe.skipIf(!hasChromium)("support requests in the browser", () => {
  const ui = useBrowserPage();
  let second: RunningServer;

  beforeAll(async () => {
    // A second process over the same database file, as with WORKERS=2 or two machines on one libSQL server.
    second = await startServer({ DATABASE_URL: dbUrl, MAIL_DIR: mailDir });
  });
  afterAll(async () => {
    await second?.stop();
  });

  it("goes from a question about an order to a rated answer, live on both sides", async () => {
    const agentContext = await ui.browser.newContext({ locale: "en-GB" });
    const agent = await agentContext.newPage();
    await signIn(agent, base, "agent@example.com");
    await agent.goto(`${base}/staff/requests?view=unassigned`);
    const rowsBefore = await agent.locator("tbody tr").count();

    // The customer, on the second process, asks about an order with a screenshot.
    const customer = ui.page;
    await signIn(customer, second.url, "anna@example.com");
    await customer.goto(`${second.url}/orders`);
    await customer.locator("tbody tr").first().getByRole("link").click();
    const orderNumber = (await customer.getByRole("heading", { level: 1 }).textContent())!.replace(
      "Order #",
      "",
    );
    await customer.getByRole("link", { name: "Get help with this order" }).click();
    expect(await customer.getByLabel("Order").locator("option:checked").textContent()).toContain(
      `#${orderNumber}`,
    );
    await customer.getByLabel("Subject").fill("The parcel looks damaged");
    await customer.getByLabel("Message").fill("The box arrived **crushed**. Photo attached.");
    await customer
      .getByLabel("Attachments")
      .setInputFiles({ name: "box.png", mimeType: "image/png", buffer: Buffer.from(pngBytes()) });
    await customer.getByRole("button", { name: "Send request" }).click();
    await customer.waitForURL(/\/requests\/[\w-]+\?created/);
    const requestNumber = /#(\d+)/.exec(
      (await customer.getByRole("heading", { level: 1 }).textContent())!,
    )![1]!;
    expect(await customer.getByRole("link", { name: "box.png" }).count()).toBe(1);
    expect(await customer.locator(".message-body strong").textContent()).toBe("crushed");

    // The agent's inbox shows it without a reload.
    await expect
      .poll(() => agent.locator("tbody tr").count(), { timeout: 5000 })
      .toBe(rowsBefore + 1);
    await agent.getByRole("link", { name: `#${requestNumber}` }).click();
    await agent.getByLabel("Assignee").selectOption({ label: "Sigga Agent" });
    await agent.getByRole("button", { name: "Save" }).click();
    await agent.waitForLoadState();
    expect(
      await agent.getByText("Sigga Agent changed Assignee from – to Sigga Agent").count(),
    ).toBe(1);

    await agent.getByLabel("Internal note (only staff see it)").check();
    await agent.getByLabel("Message").fill("Checked with the warehouse: packed fine. NOTE-ONLY");
    await agent.getByRole("button", { name: "Send", exact: true }).click();
    await agent.waitForLoadState();
    expect(await agent.locator(".message.note").count()).toBe(1);

    await agent.getByLabel("Canned reply").selectOption({ label: "Order on its way" });
    await agent.getByRole("button", { name: "Insert" }).click();
    expect(await agent.getByLabel("Message").inputValue()).toContain("Hi Anna,");
    expect(await agent.getByLabel("Message").inputValue()).toContain(
      `Order ${orderNumber} is on its way`,
    );
    await agent.getByRole("button", { name: "Send", exact: true }).click();
    await agent.waitForLoadState();

    // The customer sees the answer appear, but never the note.
    await customer.getByText(`Order ${orderNumber} is on its way`).waitFor({ timeout: 2000 });
    expect(await customer.getByText("NOTE-ONLY").count()).toBe(0);
    expect(await customer.locator(".status").first().textContent()).toBe("Waiting for your reply");

    // The mail arrived, in the customer's inbox.
    await expect
      .poll(() => mailTo("anna@example.com", `New reply to your request #${requestNumber}`), {
        timeout: 5000,
      })
      .toBe(true);

    // Solved and rated; the agent sees the rating.
    await customer.getByRole("button", { name: "This is solved" }).click();
    await customer.waitForLoadState();
    await customer.getByRole("radio", { name: "4: Satisfied" }).check();
    await customer.getByLabel("Anything you want to add? (optional)").fill("Quick help, thanks");
    await customer.getByRole("button", { name: "Send rating" }).click();
    await customer.getByText("Rated 4 out of 5. Thank you!").waitFor();
    await agent.reload();
    expect(await agent.getByText("Rated 4 out of 5. Thank you!").count()).toBe(1);
    expect(await agent.getByText("Quick help, thanks").count()).toBe(1);
    await agentContext.close();
  });

  it("runs no script from a name, subject or message, for the agent or the customer", async () => {
    const evil = `<img src=x onerror="window.__xss=1">`;
    const email = `xss-${Date.now()}@example.com`;
    await ui.page.goto(`${base}/sign-up`);
    await ui.page.getByLabel("Full name").fill(`Eve ${evil}`);
    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByLabel("Password").fill("a long enough password");
    await ui.page.getByRole("button", { name: "Create account" }).click();
    await ui.page.waitForURL(`${base}/`);
    await ui.page.goto(`${base}/requests/new`);
    await ui.page.getByLabel("Subject").fill(`Subject ${evil}`);
    await ui.page
      .getByLabel("Message")
      .fill(
        `Body ${evil} <script>window.__xss=2</script> [click me](javascript:window.__xss=3) [data](data:text/html,<script>alert(1)</script>)`,
      );
    await ui.page.getByRole("button", { name: "Send request" }).click();
    await ui.page.waitForURL(/\/requests\/[\w-]+\?created/);
    const requestUrl = ui.page.url().replace("?created", "");
    await assertInert(ui.page);
    expect(await ui.page.getByText(`Subject ${evil}`).count()).toBeGreaterThan(0); // shown as text

    const agentContext = await ui.browser.newContext({ locale: "en-GB" });
    const agent = await agentContext.newPage();
    await signIn(agent, base, "agent@example.com");
    await agent.goto(`${base}/staff/requests?view=open&q=Subject`);
    await assertInert(agent);
    await agent.goto(requestUrl.replace("/requests/", "/staff/requests/"));
    await assertInert(agent);
    expect(await agent.getByText(`Eve ${evil}`).count()).toBeGreaterThan(0);
    await agentContext.close();
  });
});

async function assertInert(page: Page) {
  expect(
    await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
  ).toBeUndefined();
  expect(await page.locator("main img").count()).toBe(0);
  expect(await page.locator('a[href^="javascript:"], a[href^="data:"]').count()).toBe(0);
}

function mailTo(to: string, subject: string): boolean {
  let files: string[] = [];
  try {
    files = readdirSync(mailDir);
  } catch {
    return false;
  }
  return files.some((file) => {
    const raw = readFileSync(join(mailDir, file), "utf8");
    return raw.includes(`To: ${to}`) && raw.replace(/\r?\n /g, " ").includes(subject);
  });
}
