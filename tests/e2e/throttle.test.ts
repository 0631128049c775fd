// Sign-in throttling over HTTP: the form page and the tRPC door answer 429 with Retry-After once an
// address has had its free failures. A server of its own, so the IP-wide limit never touches the
// shared server's other tests (all of them come from 127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ SEED_DEMO: "false" });
});
afterAll(() => server?.stop());

const email = "throttle.e2e@example.com";
const password = "a throwaway e2e password";

const signInForm = (pass: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: server.url,
      "accept-language": "en",
      ...headers,
    },
    body: new URLSearchParams({ email, password: pass }).toString(),
  });
const trpc = (path: string, body: unknown) =>
  fetch(`${server.url}/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ json: body }),
  });
const hasSession = (res: Response) =>
  res.headers.getSetCookie().some((c) => /^tengsl_session=[^;]/.test(c));

describe("sign-in throttling over HTTP", () => {
  it("answers 429 with Retry-After and says how long to wait, even for the right password", async () => {
    expect((await trpc("auth.signUp", { name: "Throwaway", email, password })).status).toBe(200);

    // Five free failures; then wrong passwords until one is refused (on a slow machine a further
    // failure or two may still come in after its wait, making the next wait longer).
    const statuses: number[] = [];
    for (let i = 0; i < 30 && statuses.at(-1) !== 429; i++) {
      const res = await signInForm(`wrong password ${i}`);
      statuses.push(res.status);
      if (res.status === 400) expect(await res.text()).toContain("Email or password is wrong.");
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.at(-1)).toBe(429);

    const refused = await signInForm(password);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(hasSession(refused)).toBe(false);
    const page = await refused.text();
    expect(page).toContain(
      retryAfter === 1
        ? "Too many attempts. Try again in a second."
        : `Too many attempts. Try again in ${retryAfter} seconds.`,
    );
    expect(page).toContain('role="alert"');

    const icelandic = await signInForm(password, { "accept-language": "is" });
    expect(icelandic.status).toBe(429);
    expect(await icelandic.text()).toMatch(
      /Of margar tilraunir\. Reyndu aftur eftir (andartak|\d+ sek)\./,
    );

    const api = await trpc("auth.signIn", { email, password });
    expect(api.status).toBe(429);
    expect(Number(api.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(hasSession(api)).toBe(false);
    const body = (await api.json()) as { error: { json: { data: Record<string, unknown> } } };
    expect(body.error.json.data).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      messageKey: "error.tooManyRequests",
      retryAfter: Number(api.headers.get("retry-after")),
    });
  });

  it("answers the fifth resend of a verification mail with 429, Retry-After and the wait on the home page", async () => {
    const signUp = await trpc("auth.signUp", {
      name: "Unverified",
      email: "resend.e2e@example.com",
      password,
    });
    const cookie = signUp.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const resend = () =>
      fetch(`${server.url}/account/resend-verification`, {
        method: "POST",
        redirect: "manual",
        headers: { origin: server.url, cookie, "accept-language": "en" },
      });
    // The sign-up mailed one link; four more go out, then the address must wait a minute.
    for (let i = 0; i < 4; i++) expect((await resend()).status).toBe(303);
    const refused = await resend();
    expect(refused.status).toBe(429);
    // A minute from the last mail (a second or so less on a slow machine).
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const page = await refused.text();
    expect(page).toContain("Welcome, Unverified");
    expect(page).toContain(`Too many attempts. Try again in ${retryAfter} seconds.`);
  });
});
