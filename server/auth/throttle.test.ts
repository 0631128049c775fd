import { count } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outbox } from "../../db/schema";
import { createUser, TEST_PASSWORD } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { limits } from "./throttle";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (e: { code?: string }) => e.code,
  );

describe("sign-in throttling", () => {
  it("refuses an address after too many failures, even with the right password, and leaves others alone", async () => {
    const person = await createUser(t.db, { email: "target@example.com" });
    const other = await createUser(t.db, { email: "other@example.com" });
    const { caller } = callerAs(t.db, null);
    for (let i = 0; i < limits.signInFailuresPerEmail.max; i++) {
      expect(
        await code(caller.auth.signIn({ email: person.email, password: "guess number " + i })),
      ).toBe("UNAUTHORIZED");
    }
    expect(await code(caller.auth.signIn({ email: person.email, password: TEST_PASSWORD }))).toBe(
      "TOO_MANY_REQUESTS",
    );
    expect(await code(caller.auth.signIn({ email: other.email, password: TEST_PASSWORD }))).toBe(
      "ok",
    );
  });

  it("never counts successful sign-ins", async () => {
    const person = await createUser(t.db);
    const { caller } = callerAs(t.db, null);
    for (let i = 0; i < limits.signInFailuresPerEmail.max + 2; i++) {
      expect(await code(caller.auth.signIn({ email: person.email, password: TEST_PASSWORD }))).toBe(
        "ok",
      );
    }
  });
});

describe("mail throttling", () => {
  it("sends at most a few mails an hour to one address, however often they are asked for", async () => {
    await createUser(t.db, { email: "victim@example.com" });
    const { caller } = callerAs(t.db, null);
    const outcomes = [];
    for (let i = 0; i < limits.mailsPerAddress.max + 2; i++) {
      outcomes.push(
        await code(caller.auth.requestPasswordReset({ email: "victim@example.com", locale: "en" })),
      );
    }
    expect(outcomes).toEqual([
      ...Array<string>(limits.mailsPerAddress.max).fill("ok"),
      "TOO_MANY_REQUESTS",
      "TOO_MANY_REQUESTS",
    ]);
    expect((await t.db.select({ n: count() }).from(outbox))[0]!.n).toBe(limits.mailsPerAddress.max);
  });
});
