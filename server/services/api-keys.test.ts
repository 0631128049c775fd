import { setTimeout as sleep } from "node:timers/promises";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { CHECK_EVERY_MS, VersionedCache } from "../../db/versioned-cache";
import { createUser } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import type { User } from "../auth/session";
import { authenticateApiKey } from "./api-keys";

let t: TestDb;
let admin: User;
beforeEach(async () => {
  t = await createTestDb();
  admin = await createUser(t.db, { role: "admin" });
});
afterEach(() => t.close());

describe("API keys", () => {
  it("are shown once, stored only as a hash, and authenticate until revoked", async () => {
    const { caller } = callerAs(t.db, admin);
    const { id, key } = await caller.staff.apiKeys.create({ name: "Web shop" });
    expect(key).toMatch(/^tsk_[\w-]{43}$/);
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    expect(JSON.stringify(row)).not.toContain(key.slice(4));
    expect(row!.prefix).toBe(key.slice(0, 12));

    expect(await authenticateApiKey(t.db, key)).toBe(id);
    expect(await authenticateApiKey(t.db, `${key}x`)).toBeNull();
    const listed = await caller.staff.apiKeys.list();
    expect(listed[0]).toMatchObject({ name: "Web shop", revokedAt: null });
    expect(listed[0]!.lastUsedAt).toBeGreaterThan(0);
    expect(JSON.stringify(listed)).not.toContain(key);

    await caller.staff.apiKeys.revoke({ id });
    expect(await authenticateApiKey(t.db, key)).toBeNull();
    await expect(caller.staff.apiKeys.revoke({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.staff.apiKeys.revoke({ id: "no-such-key" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("are kept per process: a revocation here holds at once, one elsewhere within the recheck", async () => {
    // Without the timer: only this process's commits make it read the version.
    VersionedCache.of(t.db, "api keys", "live key by hash", { checkEveryMs: 60 * 60 * 1000 });
    const { caller } = callerAs(t.db, admin);
    const here = await caller.staff.apiKeys.create({ name: "Here" });
    const there = await caller.staff.apiKeys.create({ name: "There" });
    expect(await authenticateApiKey(t.db, here.key)).toBe(here.id);
    expect(await authenticateApiKey(t.db, there.key)).toBe(there.id);
    await caller.staff.apiKeys.revoke({ id: here.id });
    expect(await authenticateApiKey(t.db, here.key)).toBeNull();
    // Read again after this process's last commit: kept from here on.
    expect(await authenticateApiKey(t.db, there.key)).toBe(there.id);

    // Another process revokes: kept until this process reads the version (a commit of its own here).
    const other = await openDb({ url: t.url });
    try {
      await other.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, there.id));
    } finally {
      other.$client.close();
    }
    expect(await authenticateApiKey(t.db, there.key)).toBe(there.id);
    await caller.staff.apiKeys.create({ name: "A commit of this process" });
    expect(await authenticateApiKey(t.db, there.key)).toBeNull();
  });

  it("are refused within the recheck once another process revokes them", async () => {
    const { caller } = callerAs(t.db, admin);
    const { id, key } = await caller.staff.apiKeys.create({ name: "Web shop" });
    // The first use notes itself (a commit, after which the next lookup reads the version); the second
    // reads the version, so from here only the timer makes this process look again.
    expect(await authenticateApiKey(t.db, key)).toBe(id);
    expect(await authenticateApiKey(t.db, key)).toBe(id);
    const other = await openDb({ url: t.url });
    try {
      await other.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, id));
    } finally {
      other.$client.close();
    }
    await sleep(CHECK_EVERY_MS + 50);
    expect(await authenticateApiKey(t.db, key)).toBeNull();
  });

  it("need a name", async () => {
    await expect(
      callerAs(t.db, admin).caller.staff.apiKeys.create({ name: "  " }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
