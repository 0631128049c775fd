import { existsSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../tests/helpers/db";
import { openDb } from "./client";
import { newId } from "./ids";
import { users } from "./schema";

let t: TestDb;
afterEach(() => t.close());

describe("openDb", () => {
  it("creates a missing folder, uses WAL and enforces foreign keys", async () => {
    t = await createTestDb();
    const url = `file:${join(t.dir, "nested", "deeper", "x.db")}`;
    const db = await openDb({ url });
    expect(existsSync(join(t.dir, "nested", "deeper", "x.db"))).toBe(true);
    const mode = await db.get<{ journal_mode: string }>(sql`PRAGMA journal_mode`);
    expect(mode.journal_mode).toBe("wal");
    db.$client.close();

    const orphan = {
      id: newId(),
      accountId: "no-such-account",
      email: "a@example.com",
      name: "A",
      passwordHash: "x",
      role: "customer" as const,
      createdAt: 0,
    };
    await expect(t.db.insert(users).values(orphan)).rejects.toThrow();
  });

  it("refuses what the schema's checks forbid", async () => {
    t = await createTestDb();
    const staff = {
      id: newId(),
      email: "Upper@Example.com",
      name: "S",
      passwordHash: "x",
      role: "agent" as const,
      createdAt: 0,
    };
    await expect(t.db.insert(users).values(staff)).rejects.toThrow(); // email must be stored lower-case
    await expect(
      t.db.insert(users).values({ ...staff, email: "c@example.com", role: "customer" }),
    ).rejects.toThrow(); // customer without account
    await t.db.insert(users).values({ ...staff, email: "s@example.com" });
    const [{ n }] = (await t.db.all<{ n: number }>(sql`select count(*) as n from users`)) as [
      { n: number },
    ];
    expect(n).toBe(1);
  });
});
