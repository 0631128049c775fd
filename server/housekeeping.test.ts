import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emailTokens, events, rateLimits, sessions, sites, widgetBlocks } from "../db/schema";
import { createUser } from "../tests/factories/people";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { cleanUp } from "./housekeeping";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.close());

describe("cleanUp", () => {
  it("removes what can no longer be used and keeps what can", async () => {
    const now = Date.now();
    const day = 24 * 60 * 60 * 1000;
    const user = await createUser(t.db);
    await t.db.insert(sessions).values([
      { id: "expired", userId: user.id, expiresAt: now - 1, createdAt: now - 2 * day },
      { id: "live", userId: user.id, expiresAt: now + day, createdAt: now },
    ]);
    await t.db.insert(emailTokens).values([
      {
        id: "old-used",
        tokenHash: "a",
        userId: user.id,
        purpose: "reset-password",
        email: user.email,
        expiresAt: now + day,
        usedAt: now - 2 * day,
        createdAt: now - 3 * day,
      },
      {
        id: "old-expired",
        tokenHash: "b",
        userId: user.id,
        purpose: "verify-email",
        email: user.email,
        expiresAt: now - 2 * day,
        createdAt: now - 9 * day,
      },
      {
        id: "pending",
        tokenHash: "c",
        userId: user.id,
        purpose: "verify-email",
        email: user.email,
        expiresAt: now + day,
        createdAt: now,
      },
    ]);
    await t.db.insert(events).values([
      { requestId: "r", accountId: "a", public: true, createdAt: now - 2 * day },
      { requestId: "r", accountId: "a", public: true, createdAt: now },
    ]);
    await t.db.insert(rateLimits).values([
      { key: "old", windowStart: now - 2 * day, count: 3 },
      { key: "current", windowStart: now, count: 1 },
    ]);
    await t.db.insert(sites).values({
      id: "site",
      name: "Shop",
      publicKey: "pk",
      identitySecret: "secret",
      allowedOrigins: [],
      createdAt: now,
    });
    const block = { siteId: "site", kind: "ip" as const, createdAt: now - day };
    await t.db.insert(widgetBlocks).values([
      { ...block, id: "ran-out", value: "192.0.2.1", until: now - 1 },
      { ...block, id: "in-force", value: "192.0.2.2", until: now + 1 },
    ]);
    await cleanUp(t.db, now);
    expect((await t.db.select({ id: sessions.id }).from(sessions)).map((r) => r.id)).toEqual([
      "live",
    ]);
    expect((await t.db.select({ id: emailTokens.id }).from(emailTokens)).map((r) => r.id)).toEqual([
      "pending",
    ]);
    expect((await t.db.select({ at: events.createdAt }).from(events)).map((r) => r.at)).toEqual([
      now,
    ]);
    expect((await t.db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key)).toEqual(
      ["current"],
    );
    expect(
      (await t.db.select({ id: widgetBlocks.id }).from(widgetBlocks)).map((r) => r.id),
    ).toEqual(["in-force"]);
  });
});
