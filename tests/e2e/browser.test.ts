// The portal in Debian's Chromium, used as a new person would: sign up (badly, then well), sign out,
// sign in, the staff console's guard, and the language switch.
import { createClient } from "@libsql/client";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { hasChromium, launchBrowser, signIn, watchForPageErrors } from "../helpers/browser";

const base = inject("baseUrl");
const dbUrl = inject("dbUrl");

async function usersWithEmail(email: string): Promise<number> {
  const client = createClient({ url: dbUrl });
  try {
    const result = await client.execute({
      sql: "select count(*) as n from users where email = ?",
      args: [email],
    });
    return Number(result.rows[0]?.n);
  } finally {
    client.close();
  }
}

describe.skipIf(!hasChromium)("in the browser", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ locale: "en-GB" });
    page = await context.newPage();
    pageErrors = watchForPageErrors(page);
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  it("refuses a bad sign-up with clear messages and creates nothing", async () => {
    await page.goto(`${base}/sign-up`);
    await page.getByLabel("Full name").fill("Test Person");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();

    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain("Please correct the following");
    const email = page.getByLabel("Email");
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#field-email-error").textContent()).toContain(
      "Enter an email address like name@example.com.",
    );
    expect(await page.locator("#field-password-error").textContent()).toContain(
      "at least 10 characters",
    );
    // What the person typed is kept, except the password.
    expect(await email.inputValue()).toBe("not-an-email");
    expect(await page.getByLabel("Password").inputValue()).toBe("");
    expect(await usersWithEmail("not-an-email")).toBe(0);
  });

  it("refuses an email that already has an account", async () => {
    await page.goto(`${base}/sign-up`);
    await page.getByLabel("Full name").fill("Someone Else");
    await page.getByLabel("Email").fill("ANNA@example.com");
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect
      .poll(() => page.locator("#field-email-error").textContent())
      .toContain("already exists");
    expect(await usersWithEmail("anna@example.com")).toBe(1);
  });

  it("signs up, signs out and signs in again to the customer home", async () => {
    const email = `new-${Date.now()}@example.com`;
    await page.goto(`${base}/`);
    await page.getByRole("link", { name: "Create account" }).first().click();
    await page.getByLabel("Full name").fill("Nýr Notandi");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${base}/`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "Welcome, Nýr Notandi",
    );
    expect(await usersWithEmail(email)).toBe(1);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in\?signedOut/);
    expect(await page.getByRole("status").textContent()).toContain("You are signed out.");
    await page.goto(`${base}/account`);
    await page.waitForURL(/\/sign-in\?returnTo=%2Faccount/);

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain("Email or password is wrong.");

    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/account`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Your account");
    expect(await page.getByText(email).count()).toBe(1);
  });

  it("shows a business contact their company and its other contacts", async () => {
    await signIn(page, base, "jon@nordurljos.example.com");
    await page.waitForURL(`${base}/`);
    expect(await page.getByRole("heading", { name: "Norðurljós ehf." }).count()).toBe(1);
    expect(await page.getByText("Guðrún Helgadóttir").count()).toBe(1);
  });

  it("lets an agent into the staff console, returning there after sign-in", async () => {
    await page.goto(`${base}/staff`);
    await page.waitForURL(/\/sign-in\?returnTo=%2Fstaff/);
    await page.getByLabel("Email").fill("agent@example.com");
    await page.getByLabel("Password").fill("tengsl-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/staff`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Staff console");
    // Only admins see the team.
    expect(await page.getByRole("heading", { name: "Team" }).count()).toBe(0);
  });

  it("shows an admin the team", async () => {
    await signIn(page, base, "admin@example.com");
    await page.waitForURL(`${base}/staff`);
    expect(await page.getByRole("cell", { name: "agent@example.com" }).count()).toBe(1);
  });

  it("shows a customer a 403 page on /staff", async () => {
    await signIn(page, base, "anna@example.com");
    await page.waitForURL(`${base}/`);
    const response = await page.goto(`${base}/staff`);
    expect(response?.status()).toBe(403);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "You don't have access to this page",
    );
  });

  it("switches to Icelandic and remembers it for the signed-in user", async () => {
    await page.goto(`${base}/sign-in`);
    await page.getByRole("button", { name: "Íslenska" }).click();
    await page.waitForURL(`${base}/sign-in`);
    expect(await page.locator("html").getAttribute("lang")).toBe("is");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Innskráning");

    await page.getByLabel("Netfang").fill("gudrun@nordurljos.example.com");
    await page.getByLabel("Lykilorð").fill("tengsl-demo");
    await page.getByRole("button", { name: "Skrá inn" }).click();
    await page.waitForURL(`${base}/`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "Velkomin(n), Guðrún Helgadóttir",
    );

    // The switcher also saved the choice to her settings: a new browser without the cookie shows Icelandic.
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("button", { name: "Íslenska" }).click();
    const fresh = await browser.newContext({ locale: "en-GB" });
    const other = await fresh.newPage();
    await signIn(other, base, "gudrun@nordurljos.example.com");
    await other.waitForURL(`${base}/`);
    expect(await other.locator("html").getAttribute("lang")).toBe("is");
    await fresh.close();
  });

  it("follows the browser's language for visitors", async () => {
    const icelandic = await browser.newContext({ locale: "is-IS" });
    const p = await icelandic.newPage();
    await p.goto(`${base}/`);
    expect(await p.locator("html").getAttribute("lang")).toBe("is");
    expect(await p.getByRole("link", { name: "Stofna aðgang" }).count()).toBeGreaterThan(0);
    await icelandic.close();
  });
});
