// Feedback in Chromium: a detractor in the portal is followed up by an agent and the customer sees the
// answer; another becomes a request; widget feedback shows in analytics; axe finds nothing serious.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { seriousViolations } from "../helpers/axe";
import { hasChromium, signIn, useBrowserPage } from "../helpers/browser";

const base = inject("baseUrl");
const mailDir = inject("mailDir");
const demoUrl = inject("demoUrl");

const mailed = (to: string, subject: string) => {
  try {
    return readdirSync(mailDir).some((f) => {
      const raw = readFileSync(join(mailDir, f), "utf8");
      return raw.includes(`To: ${to}`) && raw.includes(subject);
    });
  } catch {
    return false;
  }
};

describe.skipIf(!hasChromium)("feedback in the browser", () => {
  const ui = useBrowserPage();

  it("follows up a detractor from the portal, by answer and by request", async () => {
    const customer = ui.page;
    await signIn(customer, base, "jon@nordurljos.example.com");
    await customer.goto(`${base}/feedback`);
    await customer.getByRole("radio", { name: "3" }).check();
    await customer.getByLabel("Comment (optional)").fill("The jacket arrived late");
    await customer.getByRole("button", { name: "Send" }).click();
    await customer.getByText("Thank you for your feedback.").waitFor();

    const staffContext = await ui.browser.newContext({ locale: "en-GB" });
    const agent = await staffContext.newPage();
    await signIn(agent, base, "agent@example.com");
    await agent.goto(`${base}/staff/feedback`);
    const item = agent.locator(".follow-up li", { hasText: "The jacket arrived late" });
    await item
      .getByLabel("Answer (mailed to the customer)")
      .fill("Sorry, Jón! We have spoken to the carrier.");
    await item.getByRole("button", { name: "Send answer" }).click();
    await agent.waitForLoadState();
    expect(
      await agent.locator(".follow-up li", { hasText: "The jacket arrived late" }).count(),
    ).toBe(0);

    await customer.reload();
    expect(await customer.getByText("Sorry, Jón! We have spoken to the carrier.").count()).toBe(1);
    await expect
      .poll(() => mailed("jon@nordurljos.example.com", "We read your feedback"), {
        timeout: 5000,
      })
      .toBe(true);

    // Another detractor becomes a request, linked both ways.
    await customer.getByRole("radio", { name: "1", exact: true }).check();
    await customer.getByLabel("Comment (optional)").fill("Wrong size twice now");
    await customer.getByRole("button", { name: "Send" }).click();
    await agent.goto(`${base}/staff/feedback`);
    await agent
      .locator(".follow-up li", { hasText: "Wrong size twice now" })
      .getByRole("button", { name: "Turn into a request" })
      .click();
    await agent.waitForURL(/\/staff\/requests\/[\w-]+$/);
    expect(await agent.getByText("Wrong size twice now").count()).toBeGreaterThan(0);
    await agent.goto(`${base}/staff/feedback`);
    expect(
      await agent
        .locator("tr", { hasText: "Wrong size twice now" })
        .getByRole("link", { name: "Request" })
        .count(),
    ).toBe(1);
    await staffContext.close();
  });

  it("shows widget feedback in the analytics, and axe finds no serious problem there or in the widget", async () => {
    const audited = await ui.browser.newContext({ locale: "en-GB" });
    const visitor = await audited.newPage();
    await visitor.goto(`${demoUrl}/`);
    await visitor.getByRole("button", { name: "Feedback" }).click();
    await visitor.getByRole("dialog").waitFor();
    await visitor.waitForTimeout(300); // the opening animation
    expect(await seriousViolations(visitor)).toEqual([]);
    await visitor.getByRole("radio", { name: "2 of 5" }).check();
    await visitor.getByLabel("Comment (optional)").fill("Colours look different in real life");
    await visitor.getByRole("button", { name: "Send" }).click();
    await visitor.getByText("Thank you! We got it.").waitFor();

    const agent = await audited.newPage();
    await signIn(agent, base, "agent@example.com");
    await agent.goto(`${base}/staff/feedback`);
    const row = agent.locator("tr", { hasText: "Colours look different in real life" });
    expect(await row.textContent()).toMatch(/Demo shop\s*·\s*LOPI-001/);
    expect(
      await agent
        .locator(".follow-up li", { hasText: "Colours look different in real life" })
        .count(),
    ).toBe(1);
    expect(await seriousViolations(agent)).toEqual([]);
    const csv = await agent.evaluate(async () =>
      (await fetch("/staff/feedback/export.csv")).text(),
    );
    expect(csv.split("\r\n")[0]).toBe(
      '"created_at","kind","score","comment","account","person","site","page_url","product","locale"',
    );
    expect(csv).toContain('"Colours look different in real life"');

    // A date range that ends before it starts: the figures give way to the reason, beside the field,
    // and the CSV link for that range leads back to it rather than to a broken file.
    const refused = await agent.goto(`${base}/staff/feedback?from=2026-02-01&to=2026-01-01`);
    expect(refused!.status()).toBe(400);
    await agent
      .getByRole("alert")
      .getByText("The end date must be after the start date.")
      .waitFor();
    expect(await agent.getByLabel("To", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await agent.locator(".stat-grid").count()).toBe(0);
    expect(await agent.getByRole("heading", { name: "Needs follow-up" }).count()).toBe(1);
    const csvLink = await agent.evaluate(async () => {
      const res = await fetch("/staff/feedback/export.csv?from=2026-02-01&to=2026-01-01");
      return { url: res.url, type: res.headers.get("content-type") };
    });
    expect(csvLink.url).toBe(`${base}/staff/feedback?from=2026-02-01&to=2026-01-01`);
    expect(csvLink.type).toMatch(/^text\/html/);
    expect(await seriousViolations(agent)).toEqual([]);
    await audited.close();
  });
});
