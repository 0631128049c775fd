// Demo data for a first look: a person and a business with two contacts (pushed through the same
// upserts the ingest API uses), their orders in ISK and EUR with shipments and timelines, an agent and
// an admin. All sign in with the password below. Seeded only into an empty database.
import { count, eq } from "drizzle-orm";
import { hashPassword } from "../../server/auth/password";
import type { AdminActor, CustomerActor, StaffActor } from "../../server/actor";
import { DEMO_SITE_NAME } from "../../server/demo/product-page";
import { createCannedReply, createCategory, listCategories } from "../../server/services/admin";
import { createSite } from "../../server/services/sites";
import { staffReply } from "../../server/services/inbox";
import { upsertCustomer, upsertOrder, type OrderBody } from "../../server/services/ingest";
import { listOrders } from "../../server/services/orders";
import { createRequest, rateRequest, type FileEnv } from "../../server/services/requests";
import type { Db } from "../client";
import { newId } from "../ids";
import { accounts, users, type OrderStatus, type Role } from "../schema";

export const DEMO_PASSWORD = "tengsl-demo";

export const demoSignIns = [
  { email: "anna@example.com", name: "Anna Jónsdóttir", role: "customer", customer: "C-1001" },
  {
    email: "jon@nordurljos.example.com",
    name: "Jón Sigurðsson",
    role: "customer",
    customer: "C-2001",
  },
  {
    email: "gudrun@nordurljos.example.com",
    name: "Guðrún Helgadóttir",
    role: "customer",
    customer: "C-2001",
  },
  { email: "agent@example.com", name: "Sigga Agent", role: "agent", customer: null },
  { email: "admin@example.com", name: "Ari Admin", role: "admin", customer: null },
] as const satisfies readonly {
  email: string;
  name: string;
  role: Role;
  customer: string | null;
}[];

const products = [
  { sku: "LOPI-001", name: "Lopapeysa, handprjónuð", isk: 34_900, eur: 24_900 },
  { sku: "SOKK-014", name: "Ullarsokkar, 2 pör", isk: 3_490, eur: 2_490 },
  { sku: "REGN-220", name: "Regnjakki Katla", isk: 29_990, eur: 21_500 },
  { sku: "SKOR-310", name: "Gönguskór Esja", isk: 27_500, eur: 19_900 },
  { sku: "BRUS-050", name: "Hitabrúsi 0,75 L", isk: 4_990, eur: 3_490 },
  { sku: "PAKK-030", name: "Bakpoki 30 L", isk: 15_990, eur: 11_500 },
  { sku: "HUFA-007", name: "Húfa úr íslenskri ull", isk: 5_990, eur: 4_290 },
  { sku: "SVEF-400", name: "Svefnpoki -10°C", isk: 24_900, eur: 17_900 },
  { sku: "TJAL-200", name: "Tjald fyrir tvo", isk: 49_900, eur: 35_900 },
  { sku: "VETL-011", name: "Vettlingar", isk: 4_490, eur: 3_190 },
];

const DAY = 24 * 60 * 60 * 1000;
/** The path each final status took, so every order gets a realistic timeline. */
const paths: Record<OrderStatus, OrderStatus[]> = {
  pending: ["pending"],
  processing: ["pending", "processing"],
  shipped: ["pending", "processing", "shipped"],
  delivered: ["pending", "processing", "shipped", "delivered"],
  cancelled: ["pending", "cancelled"],
  refunded: ["pending", "processing", "shipped", "delivered", "refunded"],
};
const finals: OrderStatus[] = [
  "delivered",
  "delivered",
  "shipped",
  "processing",
  "delivered",
  "pending",
  "cancelled",
  "refunded",
  "delivered",
  "shipped",
];

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return (row?.n ?? 0) === 0;
}

export async function seedDemo(
  db: Db,
  env: FileEnv & { demoPort: number },
  now = Date.now(),
): Promise<void> {
  await upsertCustomer(db, "C-1001", {
    kind: "person",
    name: "Anna Jónsdóttir",
    contacts: [{ email: "anna@example.com", name: "Anna Jónsdóttir", isAdmin: true }],
  });
  await upsertCustomer(db, "C-2001", {
    kind: "business",
    name: "Norðurljós ehf.",
    contacts: [
      { email: "jon@nordurljos.example.com", name: "Jón Sigurðsson", isAdmin: true },
      { email: "gudrun@nordurljos.example.com", name: "Guðrún Helgadóttir", isAdmin: false },
    ],
  });

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const person of demoSignIns) {
    const accountId = person.customer
      ? (
          await db
            .select({ id: accounts.id })
            .from(accounts)
            .where(eq(accounts.externalId, person.customer))
        )[0]!.id
      : null;
    await db.insert(users).values({
      id: newId(),
      accountId,
      email: person.email,
      name: person.name,
      passwordHash,
      role: person.role,
      locale: null,
      emailVerifiedAt: now,
      createdAt: now,
    });
  }

  const random = mulberry32(1042);
  for (let i = 0; i < 36; i++) {
    const business = i % 3 !== 0;
    const currency = business && i % 4 === 1 ? "EUR" : "ISK";
    const final = finals[i % finals.length]!;
    const placedAt =
      now - Math.floor((i * 3.4 + random() * 2) * DAY) - Math.floor(random() * 8 * 60 * 60 * 1000);
    const lines = 1 + Math.floor(random() * 4);
    const items = Array.from({ length: lines }, (_, n) => {
      const p = products[(i * 3 + n * 7) % products.length]!;
      const quantity = 1 + Math.floor(random() * 3);
      const unitPrice = currency === "EUR" ? p.eur : p.isk;
      return { sku: p.sku, name: p.name, quantity, unitPrice, lineTotal: quantity * unitPrice };
    });
    const subtotal = items.reduce((sum, item) => sum + item.lineTotal, 0);
    const shipping = currency === "EUR" ? 1_500 : subtotal > 20_000 ? 0 : 1_490;
    const discount = i % 5 === 2 ? Math.round(subtotal / 10) : 0;
    const total = subtotal + shipping - discount;
    const placer = business ? (i % 2 ? demoSignIns[1] : demoSignIns[2]) : demoSignIns[0];
    const address = business
      ? {
          name: "Norðurljós ehf.",
          line1: "Hafnarstræti 20",
          postalCode: "101",
          city: "Reykjavík",
          country: "IS",
        }
      : {
          name: "Anna Jónsdóttir",
          line1: "Laugavegur 12b",
          postalCode: "101",
          city: "Reykjavík",
          country: "IS",
        };
    const base: Omit<OrderBody, "status" | "shipments" | "updatedAt"> = {
      customerId: business ? "C-2001" : "C-1001",
      number: String(10400 + i),
      currency,
      subtotal,
      shipping,
      // Icelandic prices include 24 % VAT; the tax line shows the part of the total that is VAT.
      tax: Math.round((total * 24) / 124),
      discount,
      total,
      placedAt,
      placedBy: { email: placer.email, name: placer.name },
      shippingAddress: address,
      billingAddress: address,
      items,
    };
    const path = paths[final];
    // Each step a day or two after the last, all of them before now.
    const stepMs = Math.min(DAY * (1 + random()), (now - placedAt) / path.length);
    const shipped = path.indexOf("shipped");
    for (let step = 0; step < path.length; step++) {
      const status = path[step]!;
      const at = Math.floor(placedAt + step * stepMs);
      const carrier = i % 2 === 0 ? "posturinn" : "dhl";
      const shipments =
        shipped >= 0 && step >= shipped
          ? [
              {
                carrier,
                trackingNumber:
                  carrier === "dhl" ? `JD0146000${5500 + i}` : `CC${100200300 + i * 7}IS`,
                status:
                  status === "shipped"
                    ? i % 4 === 0
                      ? "out_for_delivery"
                      : "in_transit"
                    : "delivered",
                shippedAt: Math.floor(placedAt + shipped * stepMs),
                deliveredAt: status === "shipped" ? undefined : at,
              } as const,
            ]
          : [];
      await upsertOrder(db, `SHOP-${10400 + i}`, { ...base, status, shipments, updatedAt: at });
    }
  }
  await seedSupport(db, env);
}

/** Categories, canned replies and a few requests in every state, through the same services. */
async function seedSupport(db: Db, env: FileEnv & { demoPort: number }): Promise<void> {
  const admin = await actorFor(db, "admin@example.com");
  const demoPort = env.demoPort || 4322;
  await createSite(db, admin as AdminActor, {
    name: DEMO_SITE_NAME,
    allowedOrigins: [`http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`],
    allowAnonymous: true,
    color: "#0f5b66",
    position: "right",
  });
  for (const [nameEn, nameIs] of [
    ["Orders and delivery", "Pantanir og afhending"],
    ["Returns and refunds", "Skil og endurgreiðslur"],
    ["Products", "Vörur"],
    ["My account", "Aðgangurinn minn"],
  ] as const) {
    await createCategory(db, admin as AdminActor, { nameEn, nameIs });
  }
  await createCannedReply(db, admin as AdminActor, {
    title: "Order on its way",
    body: "Hi {{customer.firstName}},\n\nthank you for waiting. Order {{order.number}} is on its way and you can follow it from the order page.\n\nBest regards,\n{{agent.name}}",
  });
  await createCannedReply(db, admin as AdminActor, {
    title: "Return instructions",
    body: "Hi {{customer.firstName}},\n\nyou can return the item within 30 days. Pack it well and bring it to any post office with request number {{request.number}} on the parcel.\n\nBest regards,\n{{agent.name}}",
  });
  const [delivery, returns] = await listCategories(db);
  const anna = (await actorFor(db, "anna@example.com")) as CustomerActor;
  const jon = (await actorFor(db, "jon@nordurljos.example.com")) as CustomerActor;
  const gudrun = (await actorFor(db, "gudrun@nordurljos.example.com")) as CustomerActor;
  const agent = (await actorFor(db, "agent@example.com")) as StaffActor;
  const firstOrder = async (actor: CustomerActor) =>
    (await listOrders(db, actor, { limit: 1 })).items[0]?.id;

  await createRequest(
    db,
    anna,
    {
      subject: "Where is my parcel?",
      categoryId: delivery?.id,
      orderId: await firstOrder(anna),
      message: "Hi, the tracking has not moved for three days. Could you look into it?",
      attachments: [],
    },
    env,
  );
  const jons = await createRequest(
    db,
    jon,
    {
      subject: "Invoice with our VAT number",
      categoryId: delivery?.id,
      message: "Could you send the invoice for our last order with our VAT number on it?",
      attachments: [],
    },
    env,
  );
  await staffReply(
    db,
    agent,
    {
      id: jons.id,
      kind: "note",
      message: "Their VAT number is in the ERP; check before sending.",
      attachments: [],
    },
    env,
  );
  await staffReply(
    db,
    agent,
    {
      id: jons.id,
      kind: "public",
      status: "pending",
      message:
        "Hi Jón,\n\nhappy to. Could you confirm the VAT number we should use?\n\nBest regards,\nSigga",
      attachments: [],
    },
    env,
  );
  const gudruns = await createRequest(
    db,
    gudrun,
    {
      subject: "Return a jacket",
      categoryId: returns?.id,
      message: "The rain jacket is too small. How do I return it?",
      attachments: [],
    },
    env,
  );
  await staffReply(
    db,
    agent,
    {
      id: gudruns.id,
      kind: "public",
      status: "resolved",
      message:
        "Hi Guðrún,\n\nbring it to any post office within 30 days; we have sent you a return label.\n\nBest regards,\nSigga",
      attachments: [],
    },
    env,
  );
  await rateRequest(db, gudrun, { id: gudruns.id, score: 5, comment: "Quick and friendly." }, "is");
}

async function actorFor(db: Db, email: string) {
  const [user] = await db
    .select({ userId: users.id, role: users.role, accountId: users.accountId })
    .from(users)
    .where(eq(users.email, email));
  return user!;
}

/** A small seeded random generator, so the demo data is the same on every machine. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
