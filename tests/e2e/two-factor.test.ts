// Two-factor sign-in in Chromium against the built server, as a new agent would meet it: enrol from the
// QR page (codes computed here from the key the page shows), sign out, sign in with a code and with a
// recovery code. And an admin without it is sent to enrol from the staff console.
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDb, type Db } from "../../db/client";
import { createUser, TEST_PASSWORD } from "../factories/people";
import { hasChromium, signIn, useBrowserPage } from "../helpers/browser";
import { answerTwoFactorPage, apiSignIn } from "../helpers/two-factor";

const base = inject("baseUrl");
const dbUrl = inject("dbUrl");
let db: Db;
beforeAll(async () => {
  db = await openDb({ url: dbUrl });
});
afterAll(() => db.$client.close());

/** What an authenticator app shows now for the key. */
const appCode = (key: string) =>
  generateHOTP(decodeBase32IgnorePadding(key), BigInt(Math.floor(Date.now() / 30_000)), 6);

describe.skipIf(!hasChromium)("two-factor sign-in in the browser", () => {
  const ui = useBrowserPage();

  it("lets an agent enrol, then sign in with a code and once with each recovery code", async () => {
    const agent = await createUser(db, { role: "agent", name: "Tvíþætt Agent" });
    const page = ui.page;
    await signIn(page, base, agent.email, TEST_PASSWORD);
    await page.waitForURL(`${base}/staff`);
    await page.getByRole("link", { name: "Security" }).click();
    await page.waitForURL(`${base}/account/security`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Two-factor sign-in");
    expect(
      await page
        .getByRole("img", { name: /QR code/ })
        .locator("svg")
        .count(),
    ).toBe(1);
    const key = (await page.locator(".totp-key").textContent())!.trim();
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    await page.screenshot({ path: "/tmp/tengsl-2fa-enrol.png", fullPage: true });

    // A wrong code first: a clear error beside the field, and still off.
    await page.getByLabel("Code", { exact: true }).fill("12345");
    await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("That code is not right.");
    expect(await page.getByLabel("Code", { exact: true }).getAttribute("aria-invalid")).toBe(
      "true",
    );

    await page.getByLabel("Code", { exact: true }).fill(appCode(key));
    await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    const codes = await page.locator(".recovery-codes code").allTextContents();
    expect(codes).toHaveLength(10);
    expect(await page.getByRole("heading", { level: 2, name: /is on/ }).count()).toBe(1);
    await page.screenshot({ path: "/tmp/tengsl-2fa-codes.png", fullPage: true });
    // Shown once: not on the page again.
    await page.goto(`${base}/account/security`);
    expect(await page.getByText(codes[0]!).count()).toBe(0);
    expect(await page.getByText("Recovery codes left: 10 of 10.").count()).toBe(1);

    // Sign out; the password alone now opens the second step, not the console.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in\?signedOut/);
    await page.goto(`${base}/staff/requests`);
    await page.getByLabel("Email").fill(agent.email);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/sign-in\/two-factor\?returnTo=%2Fstaff%2Frequests/);
    await page.screenshot({ path: "/tmp/tengsl-2fa-step.png", fullPage: true });
    expect((await page.goto(`${base}/staff`))!.url()).toMatch(/\/sign-in\?returnTo=%2Fstaff$/);
    await page.goBack();
    await page.getByLabel("Code", { exact: true }).fill("000000x");
    await page.getByRole("button", { name: "Continue" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("That code is not right.");
    await answerTwoFactorPage(page, key);
    await page.waitForURL(`${base}/staff/requests`);

    // And with a recovery code, which works once.
    for (const attempt of ["first", "again"] as const) {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/sign-in\?signedOut/);
      await page.getByLabel("Email").fill(agent.email);
      await page.getByLabel("Password").fill(TEST_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/sign-in\/two-factor/);
      await page.getByLabel("Code", { exact: true }).fill(codes[4]!);
      await page.getByRole("button", { name: "Continue" }).click();
      if (attempt === "first") {
        await page.waitForURL(`${base}/staff`);
      } else {
        expect(await page.getByRole("alert").textContent()).toContain("That code is not right.");
      }
    }
  });
});

describe("an admin without two-factor sign-in", () => {
  it("is sent to enrol from the staff console, and refused by staff and admin procedures", async () => {
    const admin = await createUser(db, { role: "admin", twoFactor: false });
    const cookie = await apiSignIn(base, admin.email, TEST_PASSWORD);
    for (const path of ["/staff", "/staff/admin", "/staff/requests"]) {
      const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: "manual" });
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe("/account/security");
    }
    const page = await fetch(`${base}/account/security`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Administrators must use two-factor sign-in.");
    for (const procedure of ["staff.admin.staff", "staff.requests.inbox", "staff.home.overview"]) {
      const res = await fetch(`${base}/api/trpc/${procedure}`, { headers: { cookie } });
      expect(res.status, procedure).toBe(403);
      expect(await res.text(), procedure).toContain("error.twoFactorRequired");
    }
  });
});
