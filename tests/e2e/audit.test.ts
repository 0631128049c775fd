// The audit log in Chromium: an admin finds a failed sign-in and their own sign-in, filters by action,
// and axe finds nothing serious; an agent is refused.
import { describe, expect, inject, it } from "vitest";
import { seriousViolations } from "../helpers/axe";
import { hasChromium, signIn, useBrowserPage } from "../helpers/browser";

const base = inject("baseUrl");

describe.skipIf(!hasChromium)("the audit log in the browser", () => {
  const ui = useBrowserPage();

  it("shows an admin who signed in and who failed to, and filters by action", async () => {
    const intruder = `intruder-${Date.now()}@example.com`;
    const failed = await fetch(`${base}/api/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ json: { email: intruder, password: "not-the-password-123" } }),
    });
    expect(failed.status).toBe(401);

    const { page } = ui;
    await signIn(page, base, "admin@example.com");
    await page.waitForURL(`${base}/staff`);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Audit log" })
      .click();
    await page.waitForURL(`${base}/staff/audit`);
    await page.getByRole("heading", { name: "Audit log" }).waitFor();

    const failedRow = page.locator("tbody tr", { hasText: intruder });
    expect(await failedRow.count()).toBe(1);
    expect(await failedRow.textContent()).toContain("Failed sign-in");
    expect(await failedRow.textContent()).toContain("Anonymous");
    expect(await page.content()).not.toContain("not-the-password-123");
    expect(
      await page
        .locator("tbody tr", { hasText: "admin@example.com" })
        .filter({ hasText: "Signed in" })
        .count(),
    ).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel("Action").selectOption({ label: "Failed sign-in" });
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/action=auth\.sign_in_failed/);
    const actions = await page.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(["Failed sign-in"]));

    // A date range that ends before it starts is refused with a message at the field.
    await page.goto(`${base}/staff/audit?from=2025-02-01&to=2025-01-01`);
    await page.getByRole("alert").getByText("The end date must be after the start date.").waitFor();
    expect(await page.locator("tbody tr").count()).toBe(0);
  });

  it("refuses an agent", async () => {
    const { page } = ui;
    await signIn(page, base, "agent@example.com");
    await page.waitForURL(`${base}/staff`);
    expect(await page.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    const response = await page.goto(`${base}/staff/audit`);
    expect(response?.status()).toBe(403);
    expect(await page.locator("tbody tr").count()).toBe(0);
  });
});
