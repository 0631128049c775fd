import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiKeys } from "../../db/schema";
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

  it("need a name", async () => {
    await expect(
      callerAs(t.db, admin).caller.staff.apiKeys.create({ name: "  " }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
