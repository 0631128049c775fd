import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sites } from "../../db/schema";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { allAllowedOrigins, ORIGINS_TTL_MS } from "./sites";

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
    const now = Date.now();
    expect(await allAllowedOrigins(t.db, now)).toEqual(new Set());
    const id = await admin().create({ name: "Shop", allowedOrigins: [shop] });
    expect(await allAllowedOrigins(t.db, now)).toEqual(new Set([shop]));
    await admin().update({ id, name: "Shop", allowedOrigins: ["https://new.example.com"] });
    expect(await allAllowedOrigins(t.db, now)).toEqual(new Set(["https://new.example.com"]));
  });

  it(`follow a change made by another process within ${ORIGINS_TTL_MS} ms`, async () => {
    const id = await admin().create({ name: "Shop", allowedOrigins: [shop] });
    const now = Date.now();
    expect(await allAllowedOrigins(t.db, now)).toEqual(new Set([shop]));
    // Another process's write: this process hears nothing of it.
    await t.db
      .update(sites)
      .set({ allowedOrigins: sql`json_array('https://elsewhere.example.com')` })
      .where(eq(sites.id, id));
    expect(await allAllowedOrigins(t.db, now + ORIGINS_TTL_MS - 1)).toEqual(new Set([shop]));
    expect(await allAllowedOrigins(t.db, now + ORIGINS_TTL_MS)).toEqual(
      new Set(["https://elsewhere.example.com"]),
    );
  });
});
