// A small database for developing the benchmark and for its smoke test: the demo seed, the demo admin
// enrolled in two-factor sign-in, an API key, extra orders for the business account, and the fixture
// file the benchmark reads (the same shape `npm run seed:scale` is expected to write; bench/README.md).
import { writeFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { filePathOf, openDb } from "../../db/client";
import { migrateDb } from "../../db/migrate";
import { DEMO_PASSWORD, isEmpty, seedDemo } from "../../db/seed/demo";
import { sites, users } from "../../db/schema";
import { newTotpKey } from "../../server/auth/totp";
import type { AdminActor } from "../../server/actor";
import { createApiKey } from "../../server/services/api-keys";
import { upsertOrder } from "../../server/services/ingest";
import { orderBody } from "../../tests/factories/orders";
import { fixturePathOf, type Fixture } from "./fixture";

const CUSTOMER = "jon@nordurljos.example.com";
const BUSINESS_ID = "C-2001";
const ADMIN = "admin@example.com";

export async function makeDevDb(url: string, { orders = 2_000 } = {}): Promise<Fixture> {
  const path = filePathOf(url);
  if (!path) throw new Error(`The development database must be a file: URL (got ${url}).`);
  const db = await openDb({ url });
  try {
    await migrateDb(db);
    if (!(await isEmpty(db))) throw new Error(`${path} is not empty: give a new file.`);
    await seedDemo(db, {
      filesDir: `${path}.files`,
      demoPort: 4322,
      publicUrl: new URL("http://localhost:4321"),
    });
    const totpKey = newTotpKey();
    await db
      .update(users)
      .set({ totpSecret: totpKey, totpEnabledAt: Date.now() })
      .where(eq(users.email, ADMIN));
    const [admin] = await db.select().from(users).where(eq(users.email, ADMIN));
    if (!admin) throw new Error("The demo seed made no admin.");
    const actor: AdminActor = {
      userId: admin.id,
      role: "admin",
      accountId: null,
      email: admin.email,
      ip: null,
    };
    const { key } = await createApiKey(db, actor, "Benchmark");
    // Placed over the last year, so the keyset pages and the date filters have something to walk.
    const start = Date.now() - 365 * 24 * 3600_000;
    for (let i = 0; i < orders; i++) {
      const at = start + Math.floor((i / orders) * 365 * 24 * 3600_000);
      await upsertOrder(
        db,
        `DEV-${i}`,
        orderBody(BUSINESS_ID, {
          number: String(500_000 + i),
          status: i % 7 === 0 ? "processing" : "delivered",
          placedAt: at,
          items: [
            {
              sku: `SKU-${i % 40}`,
              name: "Lopapeysa",
              quantity: 2,
              unitPrice: 5_000,
              lineTotal: 10_000,
            },
          ],
          updatedAt: at,
        }),
      );
    }
    const [site] = await db.select({ publicKey: sites.publicKey }).from(sites).limit(1);
    if (!site) throw new Error("The demo seed made no widget site.");
    const fixture: Fixture = {
      password: DEMO_PASSWORD,
      bigAccount: { customerEmail: CUSTOMER },
      agentEmail: "agent@example.com",
      admin: { email: ADMIN, totpSecret: totpKey },
      site: { publicKey: site.publicKey },
      apiKey: { key },
      // Hit counts are unknown on this small database; the benchmark only uses the words.
      searchTerms: ["parcel", "invoice", "jacket", "return"].map((term) => ({ term, rows: 0 })),
    };
    writeFileSync(fixturePathOf(url), `${JSON.stringify(fixture, null, 2)}\n`);
    return fixture;
  } finally {
    db.$client.close();
  }
}
