// Debian's Chromium driven by playwright-core (nothing is downloaded). Outside CI a missing browser
// skips the browser tests loudly; in CI (CI=true) it fails the run.
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { answerTwoFactorPage, totpKeys } from "./two-factor";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(chromiumPath);

if (!hasChromium) {
  const message = `Chromium not found at ${chromiumPath}: install it with \`sudo apt-get install -y chromium\` or set CHROMIUM_PATH.`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`\n*** BROWSER TESTS SKIPPED *** ${message}\n`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Collects script errors, CSP violations and failed style or script loads. A page answering 400 or 403
 * (a refused form, a guarded area) is expected and checked by the tests themselves.
 */
export function watchForPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.request().resourceType() !== "document" && r.status() >= 400)
      errors.push(`${r.status()} ${r.url()}`);
  });
  return errors;
}

/** Signs in through the form; for a person with two-factor sign-in, answers the second step too. */
export async function signIn(page: Page, base: string, email: string, password = "tengsl-demo") {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/sign-in")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  const key = totpKeys[email];
  if (key && (response.headers().location ?? "").startsWith("/sign-in/two-factor")) {
    await page.waitForURL(/\/sign-in\/two-factor/);
    await answerTwoFactorPage(page, key);
  }
}

/**
 * One browser for the file and a fresh context and page for each test, which fails when the page
 * reported a script error, a CSP violation or a failed load.
 */
export function useBrowserPage(locale = "en-GB") {
  const ui = {} as {
    browser: Browser;
    context: BrowserContext;
    page: Page;
    errors: string[];
    /** Failures a test causes on purpose (a mocked 503), which the page check then accepts. */
    expected: RegExp[];
  };
  beforeAll(async () => {
    ui.browser = await launchBrowser();
  });
  afterAll(async () => {
    await ui.browser?.close();
  });
  beforeEach(async () => {
    ui.context = await ui.browser.newContext({ locale });
    ui.page = await ui.context.newPage();
    ui.errors = watchForPageErrors(ui.page);
    ui.expected = [];
  });
  afterEach(async () => {
    await ui.context.close();
    expect(ui.errors.filter((e) => !ui.expected.some((re) => re.test(e)))).toEqual([]);
  });
  return ui;
}
