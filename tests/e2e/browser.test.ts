// The portal in Debian's Chromium, used as a new person would: sign up (badly, then well), sign out,
// sign in, the staff console's guard, and the language switch.
import { createClient } from "@libsql/client";
import { describe, expect, inject, it } from "vitest";
import { hasChromium, signIn, useBrowserPage } from "../helpers/browser";

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
  const ui = useBrowserPage();

  it("refuses a bad sign-up with clear messages and creates nothing", async () => {
    await ui.page.goto(`${base}/sign-up`);
    await ui.page.getByLabel("Full name").fill("Test Person");
    await ui.page.getByLabel("Email").fill("not-an-email");
    await ui.page.getByLabel("Password").fill("short");
    await ui.page.getByRole("button", { name: "Create account" }).click();

    await expect
      .poll(() => ui.page.getByRole("alert").textContent())
      .toContain("Please correct the following");
    const email = ui.page.getByLabel("Email");
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    expect(await ui.page.locator("#field-email-error").textContent()).toContain(
      "Enter an email address like name@example.com.",
    );
    expect(await ui.page.locator("#field-password-error").textContent()).toContain(
      "at least 10 characters",
    );
    // What the person typed is kept, except the password.
    expect(await email.inputValue()).toBe("not-an-email");
    expect(await ui.page.getByLabel("Password").inputValue()).toBe("");
    expect(await usersWithEmail("not-an-email")).toBe(0);
  });

  it("refuses an email that already has an account", async () => {
    await ui.page.goto(`${base}/sign-up`);
    await ui.page.getByLabel("Full name").fill("Someone Else");
    await ui.page.getByLabel("Email").fill("ANNA@example.com");
    await ui.page.getByLabel("Password").fill("a long enough password");
    await ui.page.getByRole("button", { name: "Create account" }).click();
    await expect
      .poll(() => ui.page.locator("#field-email-error").textContent())
      .toContain("already exists");
    expect(await usersWithEmail("anna@example.com")).toBe(1);
  });

  it("signs up, signs out and signs in again to the customer home", async () => {
    const email = `new-${Date.now()}@example.com`;
    await ui.page.goto(`${base}/`);
    await ui.page.getByRole("link", { name: "Create account" }).first().click();
    await ui.page.getByLabel("Full name").fill("Nýr Notandi");
    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByLabel("Password").fill("a long enough password");
    await ui.page.getByRole("button", { name: "Create account" }).click();
    await ui.page.waitForURL(`${base}/`);
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "Welcome, Nýr Notandi",
    );
    expect(await usersWithEmail(email)).toBe(1);

    await ui.page.getByRole("button", { name: "Sign out" }).click();
    await ui.page.waitForURL(/\/sign-in\?signedOut/);
    expect(await ui.page.getByRole("status").textContent()).toContain("You are signed out.");
    await ui.page.goto(`${base}/account`);
    await ui.page.waitForURL(/\/sign-in\?returnTo=%2Faccount/);

    await ui.page.getByLabel("Email").fill(email);
    await ui.page.getByLabel("Password").fill("wrong password!");
    await ui.page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => ui.page.getByRole("alert").textContent())
      .toContain("Email or password is wrong.");

    await ui.page.getByLabel("Password").fill("a long enough password");
    await ui.page.getByRole("button", { name: "Sign in" }).click();
    await ui.page.waitForURL(`${base}/account`);
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe("Your account");
    expect(await ui.page.getByText(email).count()).toBe(1);
  });

  it("shows a business contact their company and its other contacts", async () => {
    await signIn(ui.page, base, "jon@nordurljos.example.com");
    await ui.page.waitForURL(`${base}/`);
    expect(await ui.page.getByRole("heading", { name: "Norðurljós ehf." }).count()).toBe(1);
    expect(await ui.page.getByText("Guðrún Helgadóttir").count()).toBe(1);
  });

  it("lets an agent into the staff console, returning there after sign-in", async () => {
    await ui.page.goto(`${base}/staff`);
    await ui.page.waitForURL(/\/sign-in\?returnTo=%2Fstaff/);
    await ui.page.getByLabel("Email").fill("agent@example.com");
    await ui.page.getByLabel("Password").fill("tengsl-demo");
    await ui.page.getByRole("button", { name: "Sign in" }).click();
    await ui.page.waitForURL(`${base}/staff`);
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe("Staff console");
    // Only admins see the team.
    expect(await ui.page.getByRole("heading", { name: "Team" }).count()).toBe(0);
  });

  it("shows an admin the team", async () => {
    await signIn(ui.page, base, "admin@example.com");
    await ui.page.waitForURL(`${base}/staff`);
    expect(await ui.page.getByRole("cell", { name: "agent@example.com" }).count()).toBe(1);
  });

  it("shows a customer a 403 page on /staff", async () => {
    await signIn(ui.page, base, "anna@example.com");
    await ui.page.waitForURL(`${base}/`);
    const response = await ui.page.goto(`${base}/staff`);
    expect(response?.status()).toBe(403);
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "You don't have access to this page",
    );
  });

  it("switches to Icelandic and remembers it for the signed-in user", async () => {
    await ui.page.goto(`${base}/sign-in`);
    await ui.page.getByRole("button", { name: "Íslenska" }).click();
    await ui.page.waitForURL(`${base}/sign-in`);
    expect(await ui.page.locator("html").getAttribute("lang")).toBe("is");
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe("Innskráning");

    await ui.page.getByLabel("Netfang").fill("gudrun@nordurljos.example.com");
    await ui.page.getByLabel("Lykilorð").fill("tengsl-demo");
    await ui.page.getByRole("button", { name: "Skrá inn" }).click();
    await ui.page.waitForURL(`${base}/`);
    expect(await ui.page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "Velkomin(n), Guðrún Helgadóttir",
    );

    // The switcher also saved the choice to her settings: a new browser without the cookie shows Icelandic.
    await ui.page.getByRole("button", { name: "English" }).click();
    await ui.page.getByRole("button", { name: "Íslenska" }).click();
    const fresh = await ui.browser.newContext({ locale: "en-GB" });
    const other = await fresh.newPage();
    await signIn(other, base, "gudrun@nordurljos.example.com");
    await other.waitForURL(`${base}/`);
    expect(await other.locator("html").getAttribute("lang")).toBe("is");
    await fresh.close();
  });

  it("follows the browser's language for visitors", async () => {
    const icelandic = await ui.browser.newContext({ locale: "is-IS" });
    const p = await icelandic.newPage();
    await p.goto(`${base}/`);
    expect(await p.locator("html").getAttribute("lang")).toBe("is");
    expect(await p.getByRole("link", { name: "Stofna aðgang" }).count()).toBeGreaterThan(0);
    await icelandic.close();
  });
});
