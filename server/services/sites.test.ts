import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../../db/client";
import { sites } from "../../db/schema";
import { CHECK_EVERY_MS, VersionedCache } from "../../db/versioned-cache";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { allAllowedOrigins } from "./sites";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
const admin = () => callerAs(t.db, cast.admin).caller.staff.sites;
const shop = "https://shop.example.com";

beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
});
afterEach(() => t.close());

describe("the widget door's allowed origins", () => {
  it("follow a site created or changed through this process at once", async () => {
    // Kept without reading the version on a timer: only this process's commits make it look again.
    VersionedCache.of(t.db, "sites", "allowed origins", { checkEveryMs: 60 * 60 * 1000 });
    expect(await allAllowedOrigins(t.db)).toEqual(new Set());
    const id = await admin().create({ name: "Shop", allowedOrigins: [shop] });
    expect(await allAllowedOrigins(t.db)).toEqual(new Set([shop]));
    await admin().update({ id, name: "Shop", allowedOrigins: ["https://new.example.com"] });
    expect(await allAllowedOrigins(t.db)).toEqual(new Set(["https://new.example.com"]));
  });

  it(`follow a change made by another process within ${CHECK_EVERY_MS} ms`, async () => {
    const id = await admin().create({ name: "Shop", allowedOrigins: [shop] });
    expect(await allAllowedOrigins(t.db)).toEqual(new Set([shop]));
    // Another process's write: this process hears nothing of it but the version.
    const other = await openDb({ url: t.url });
    try {
      await other
        .update(sites)
        .set({ allowedOrigins: sql`json_array('https://elsewhere.example.com')` })
        .where(eq(sites.id, id));
    } finally {
      other.$client.close();
    }
    await sleep(CHECK_EVERY_MS + 50);
    expect(await allAllowedOrigins(t.db)).toEqual(new Set(["https://elsewhere.example.com"]));
  });
});
