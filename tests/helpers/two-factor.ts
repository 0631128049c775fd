// Two-factor sign-in for tests against a running server: the demo admin is enrolled with the factories'
// known key (the demo seed leaves enrolment to a person trying the demo), and sign-in helpers answer the
// second step with a code computed from that key, over HTTP or in the browser.
import type { Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { openDb } from "../../db/client";
import { users } from "../../db/schema";
import { TOTP_STEP_MS, totpCode, totpStep } from "../../server/auth/totp";
import { TEST_TOTP_KEY } from "../factories/people";

export const DEMO_ADMIN = "admin@example.com";
const CHALLENGE_COOKIE = "tengsl_2fa";

/** The TOTP key of each demo person who has two-factor sign-in in tests. */
export const totpKeys: Record<string, string> = { [DEMO_ADMIN]: TEST_TOTP_KEY };

/** Gives the demo admin two-factor sign-in in a server's database, as if they had enrolled. */
export async function enrolDemoAdmin(dbUrl: string): Promise<void> {
  const db = await openDb({ url: dbUrl });
  try {
    await db
      .update(users)
      .set({ totpSecret: TEST_TOTP_KEY, totpEnabledAt: Date.now() })
      .where(eq(users.email, DEMO_ADMIN));
  } finally {
    db.$client.close();
  }
}

/** Time steps whose codes this process saw refused as used: the server takes each code once. */
const usedSteps = new Set<string>();

/** Longer than a code takes to reach the server from this process, even on a busy machine. */
const REQUEST_MARGIN_MS = 5_000;

/**
 * Answers a second step with codes for `key`: the current one, else the next or previous (the server
 * allows one step of drift). Parallel test files signing in as the same person may have used all three;
 * then it waits for the next step, as a person would. At most five tries, as the server allows.
 */
export async function answerWithCodes(
  key: string,
  send: (code: string) => Promise<"ok" | "used" | "wrong">,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = Date.now();
    const current = totpStep(now);
    // The previous step is only offered while the server will still take it when the request
    // arrives: a step boundary crossed on the way would make it two steps old, and refused.
    const candidates = [current, current + 1];
    if (totpStep(now + REQUEST_MARGIN_MS) === current) candidates.push(current - 1);
    const step = candidates.find((s) => !usedSteps.has(`${key}:${s}`));
    if (step === undefined) {
      await new Promise((r) => setTimeout(r, (current + 1) * TOTP_STEP_MS - now + 50));
      attempt--;
      continue;
    }
    const result = await send(totpCode(key, step));
    if (result === "ok") {
      usedSteps.add(`${key}:${step}`);
      return;
    }
    if (result === "wrong") throw new Error("The server refused a computed two-factor code.");
    usedSteps.add(`${key}:${step}`);
  }
  throw new Error("No unused two-factor code was accepted in five tries.");
}

const cookieFrom = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);

/**
 * Signs in over the tRPC door, answering a second step with `key` when asked; returns the session
 * cookie. The benchmark uses it too, with the scale seed's password and key.
 */
export async function apiSignIn(
  base: string,
  email: string,
  password = "tengsl-demo",
  key: string | undefined = totpKeys[email],
) {
  const post = (path: string, json: unknown, cookie?: string) =>
    fetch(`${base}/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ json }),
    });
  const first = await post("auth.signIn", { email, password });
  const session = cookieFrom(first, "tengsl_session");
  if (session) return session;
  const challenge = cookieFrom(first, CHALLENGE_COOKIE);
  if (!challenge || !key) throw new Error(`Sign-in as ${email} failed: ${first.status}`);
  let cookie = "";
  await answerWithCodes(key, async (code) => {
    const res = await post("auth.verifyTwoFactor", { code }, challenge);
    const made = cookieFrom(res, "tengsl_session");
    if (made) {
      cookie = made;
      return "ok";
    }
    const text = await res.text();
    return text.includes("twoFactor.codeUsed") ? "used" : "wrong";
  });
  return cookie;
}

/** In the browser, on the second-step page: enters codes for `key` until one is taken. */
export async function answerTwoFactorPage(page: Page, key: string): Promise<void> {
  await answerWithCodes(key, async (code) => {
    await page.getByLabel("Code", { exact: true }).fill(code);
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === "POST" && r.url().includes("/sign-in/two-factor"),
      ),
      page.getByRole("button", { name: "Continue" }).click(),
    ]);
    if (response.status() === 303) return "ok";
    await page.waitForLoadState();
    const alert = (await page.getByRole("alert").textContent()) ?? "";
    return alert.includes("already been used") ? "used" : "wrong";
  });
}
