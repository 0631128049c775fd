import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { outbox, rateLimits, users } from "../../db/schema";
import { createUser, TEST_PASSWORD } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { DomainError } from "../errors";
import { backoffDelay } from "../services/rate-limit";
import { guardSignIn, limits } from "./throttle";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** What a call came to: "ok", its error code, or TOO_MANY_REQUESTS with its Retry-After seconds. */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (e: { code?: string; cause?: unknown }) => {
      // Services throw domain errors; the router wraps them in tRPC errors.
      const domain = e instanceof DomainError ? e : e.cause instanceof DomainError ? e.cause : null;
      return domain?.retryAfter === undefined ? e.code : `${e.code} ${domain.retryAfter}`;
    },
  );
const rows = async () =>
  Object.fromEntries(
    (await t.db.select().from(rateLimits)).map((r) => [r.key, [r.count, r.lastHitAt]]),
  );

describe("growing delays", () => {
  it("are free for the first few, then double from a second up to the cap", () => {
    const waits = Array.from({ length: 18 }, (_, n) =>
      backoffDelay(n, limits.signInFailuresPerEmail),
    );
    expect(waits).toEqual(
      [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900].map((s) => s * SECOND),
    );
    expect(backoffDelay(10_000, limits.signInFailuresPerEmail)).toBe(15 * MINUTE);
  });

  it("make each further failure wait before the next attempt is even tried, measured from the last", async () => {
    let tried = 0;
    const wrong = () => {
      tried++;
      return Promise.reject(new DomainError("UNAUTHORIZED", "auth.wrongCredentials"));
    };
    const attempt = (now: number) =>
      outcome(guardSignIn(t.db, "who@example.com", "192.0.2.9", wrong, now));
    let now = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 5; i++) expect(await attempt(now)).toBe("UNAUTHORIZED");
    const retryAfters: number[] = [];
    for (let i = 0; i < 12; i++) {
      const refused = await attempt(now);
      expect(refused).toMatch(/^TOO_MANY_REQUESTS \d+$/);
      const seconds = Number(refused?.split(" ")[1]);
      retryAfters.push(seconds);
      // A moment before the wait ends it is still refused, and says how much is left.
      expect(await attempt(now + seconds * SECOND - 400)).toBe("TOO_MANY_REQUESTS 1");
      now += seconds * SECOND;
      expect(await attempt(now)).toBe("UNAUTHORIZED");
    }
    expect(retryAfters).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    expect(tried).toBe(5 + 12); // refused attempts never reached the password check
  });

  it("forget an address after a quiet spell beyond its wait", async () => {
    const wrong = () => Promise.reject(new DomainError("UNAUTHORIZED", "auth.wrongCredentials"));
    const fail = (now: number) => outcome(guardSignIn(t.db, "q@example.com", null, wrong, now));
    const start = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 5; i++) await fail(start);
    // Five failures: a one-second wait; a failure just before 15 quiet minutes beyond it still counts.
    const later = start + SECOND + 15 * MINUTE - 1;
    expect(await fail(later)).toBe("UNAUTHORIZED");
    expect((await rows())["signin:email:q@example.com"]?.[0]).toBe(6);
    // Six: a two-second wait, then 15 quiet minutes, and the address starts afresh.
    const afresh = later + 2 * SECOND + 15 * MINUTE;
    for (let i = 0; i < 5; i++) expect(await fail(afresh)).toBe("UNAUTHORIZED");
    expect((await rows())["signin:email:q@example.com"]?.[0]).toBe(5);
  });
});

describe("sign-in throttling through the router", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
  });
  afterEach(() => vi.useRealTimers());

  it("refuses the right password during the wait, changing nothing, and leaves other addresses alone", async () => {
    const person = await createUser(t.db, { email: "target@example.com" });
    const other = await createUser(t.db, { email: "other@example.com" });
    for (let i = 0; i < limits.signInFailuresPerEmail.free; i++) {
      const { caller } = callerAs(t.db, null);
      expect(
        await outcome(caller.auth.signIn({ email: person.email, password: `guess ${i}` })),
      ).toBe("UNAUTHORIZED");
    }
    const before = await rows();
    const locked = callerAs(t.db, null);
    expect(
      await outcome(locked.caller.auth.signIn({ email: person.email, password: TEST_PASSWORD })),
    ).toBe("TOO_MANY_REQUESTS 1");
    expect(locked.cookies).toEqual([]); // no session
    expect(await rows()).toEqual(before);

    expect(
      await outcome(
        callerAs(t.db, null).caller.auth.signIn({ email: other.email, password: TEST_PASSWORD }),
      ),
    ).toBe("ok");
  });

  it("forgets the address's failures on success, but not the IP's", async () => {
    const person = await createUser(t.db, { email: "back@example.com" });
    const { caller } = callerAs(t.db, null);
    for (let i = 0; i < 7; i++)
      await outcome(caller.auth.signIn({ email: person.email, password: `guess ${i}` }));
    // Five failures, then two refused during the one-second wait (they count nothing).
    vi.setSystemTime(Date.now() + 2 * SECOND);
    expect(
      await outcome(caller.auth.signIn({ email: person.email, password: TEST_PASSWORD })),
    ).toBe("ok");
    const after = await rows();
    expect(after["signin:email:back@example.com"]).toBeUndefined();
    expect(after["signin:ip:192.0.2.1"]?.[0]).toBe(5);
    // The owner starts afresh: five free failures again.
    for (let i = 0; i < 5; i++)
      expect(
        await outcome(caller.auth.signIn({ email: person.email, password: `typo ${i}` })),
      ).toBe("UNAUTHORIZED");
  });

  it("limits one IP address guessing across many addresses", async () => {
    const { caller } = callerAs(t.db, null);
    for (let i = 0; i < limits.signInFailuresPerIp.free; i++)
      expect(
        await outcome(caller.auth.signIn({ email: `p${i}@example.com`, password: "wrong guess" })),
      ).toBe("UNAUTHORIZED");
    const fresh = await createUser(t.db, { email: "fresh@example.com" });
    expect(await outcome(caller.auth.signIn({ email: fresh.email, password: TEST_PASSWORD }))).toBe(
      "TOO_MANY_REQUESTS 1",
    );
  });
});

describe("mail and sign-up throttling", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
  });
  afterEach(() => vi.useRealTimers());
  const mails = async () => (await t.db.select({ n: count() }).from(outbox))[0]!.n;

  it("sends a few reset mails to one address, then makes each further one wait twice as long", async () => {
    await createUser(t.db, { email: "victim@example.com" });
    const { caller } = callerAs(t.db, null);
    const ask = () =>
      outcome(caller.auth.requestPasswordReset({ email: "victim@example.com", locale: "en" }));
    const outcomes = [];
    for (let i = 0; i < limits.mailsPerAddress.free + 2; i++) outcomes.push(await ask());
    expect(outcomes).toEqual([
      ...Array<string>(limits.mailsPerAddress.free).fill("ok"),
      "TOO_MANY_REQUESTS 60",
      "TOO_MANY_REQUESTS 60",
    ]);
    expect(await mails()).toBe(limits.mailsPerAddress.free);
    vi.setSystemTime(Date.now() + MINUTE);
    expect(await ask()).toBe("ok");
    expect(await ask()).toBe("TOO_MANY_REQUESTS 120");
    expect(await mails()).toBe(limits.mailsPerAddress.free + 1);
  });

  it("limits verification mails to the signed-in person's address", async () => {
    const person = await createUser(t.db);
    await t.db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, person.id));
    const { caller } = callerAs(t.db, { ...person, emailVerified: false });
    for (let i = 0; i < limits.mailsPerAddress.free; i++)
      expect(await outcome(caller.account.resendVerification())).toBe("ok");
    expect(await outcome(caller.account.resendVerification())).toBe("TOO_MANY_REQUESTS 60");
    expect(await mails()).toBe(limits.mailsPerAddress.free);
  });

  it("limits sign-ups from one IP address, storing no one when refused", async () => {
    const { caller } = callerAs(t.db, null);
    for (let i = 0; i < limits.signUpsPerIp.free; i++)
      expect(
        await outcome(
          caller.auth.signUp({ name: "N", email: `n${i}@example.com`, password: TEST_PASSWORD }),
        ),
      ).toBe("ok");
    expect(
      await outcome(
        caller.auth.signUp({ name: "N", email: "late@example.com", password: TEST_PASSWORD }),
      ),
    ).toBe("TOO_MANY_REQUESTS 10");
    const [late] = await t.db.select().from(users).where(eq(users.email, "late@example.com"));
    expect(late).toBeUndefined();
  });

  it("limits guessing at mailed links from one IP address", async () => {
    const { caller } = callerAs(t.db, null);
    const guess = (i: number) =>
      outcome(caller.auth.resetPassword({ token: `guessed-token-${i}`, password: TEST_PASSWORD }));
    for (let i = 0; i < limits.linkFailuresPerIp.free; i++)
      expect(await guess(i)).toBe("BAD_REQUEST");
    expect(await guess(99)).toBe("TOO_MANY_REQUESTS 1");
  });
});
