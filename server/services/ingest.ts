// What the company's shop or ERP sends: customers (accounts and their contacts) and orders in their full
// current state. Both upserts are idempotent, and an order update older than the stored one is ignored.
import { and, eq, inArray, ne, or } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../db/client";
import { newId } from "../../db/ids";
import { param, placeholders, prepareRows, prepareWrite } from "../../db/prepared";
import {
  accountKinds,
  accounts,
  contacts,
  orderEvents,
  orderItems,
  orders,
  orderStatuses,
  shipments,
  shipmentStatuses,
  users,
} from "../../db/schema";
import { DomainError } from "../errors";
import { normalizeEmail, syncMembership } from "./accounts";

/** ISO 4217 codes this runtime knows (asked once: the list is rebuilt on every call). */
const currencies = new Set(Intl.supportedValuesOf("currency"));

// Messages here are English prose: the ingest API's clients are programs and the people who write them.
export const externalId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, "use letters, digits and . _ : - only");

const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email("must be an email address"))
  .transform(normalizeEmail);
const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
const minor = z.number().int("must be a whole number of minor units").min(0).max(1e12);
// Years 2000 to 2100: anything else is a unit mistake (seconds for milliseconds) or garbage.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
const epochMs = z
  .union([z.iso.datetime({ offset: true }).max(40), z.number().int()])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)))
  .refine(
    (ms) => ms >= EARLIEST && ms < LATEST,
    "must be between 2000 and 2100 (milliseconds, not seconds)",
  )
  .describe("ISO 8601 date-time with offset, or epoch milliseconds");

export const customerBody = z
  .object({
    kind: z.enum(accountKinds),
    name: text(200),
    contacts: z
      .array(
        z.object({
          email,
          name: text(200),
          isAdmin: z
            .boolean()
            .default(false)
            .describe("may see the account's contacts and invite colleagues"),
        }),
      )
      .max(500)
      .default([]),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.contacts.forEach((c, i) => {
      if (seen.has(c.email))
        ctx.addIssue({ code: "custom", path: ["contacts", i, "email"], message: "appears twice" });
      seen.add(c.email);
    });
    if (body.kind === "person" && body.contacts.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["contacts"],
        message: "a person account has at most one contact",
      });
    }
  });
export type CustomerBody = z.output<typeof customerBody>;

const address = z.object({
  name: text(200),
  line1: text(200),
  line2: z.string().trim().max(200).optional(),
  postalCode: text(20),
  city: text(100),
  country: z
    .string()
    .max(2)
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166 two-letter country code"),
});

export const orderBody = z.object({
  customerId: externalId.describe("the customer's external id, as in PUT /customers/{externalId}"),
  number: text(40).describe("the order number people see and quote"),
  status: z.enum(orderStatuses),
  currency: z
    .string()
    .max(3)
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as ISK or EUR")
    .refine((c) => currencies.has(c), "is not a known currency"),
  subtotal: minor,
  shipping: minor.default(0),
  tax: minor.default(0),
  discount: minor.default(0),
  total: minor,
  placedAt: epochMs,
  placedBy: z.object({ email, name: text(200).optional() }).optional(),
  shippingAddress: address.optional(),
  billingAddress: address.optional(),
  items: z
    .array(
      z.object({
        sku: text(64),
        name: text(200),
        quantity: z.number().int().min(1).max(1_000_000),
        unitPrice: minor,
        lineTotal: minor,
      }),
    )
    .min(1, "an order has at least one item")
    .max(1000),
  shipments: z
    .array(
      z.object({
        carrier: text(60).describe("posturinn, dhl, ups, fedex and gls get a tracking link"),
        trackingNumber: z.string().trim().min(1).max(100).optional(),
        status: z.enum(shipmentStatuses),
        shippedAt: epochMs.optional(),
        deliveredAt: epochMs.optional(),
      }),
    )
    .max(100)
    .default([]),
  updatedAt: epochMs.describe("when the source last changed this order; older updates are ignored"),
});
export type OrderBody = z.output<typeof orderBody>;

export type UpsertResult = { result: "created" | "updated" | "unchanged" | "ignored"; id: string };

/** Creates or updates an account and makes its contacts exactly the list given. */
export function upsertCustomer(
  db: Db,
  externalIdValue: string,
  body: CustomerBody,
): Promise<UpsertResult> {
  return db.transaction((tx) => storeCustomer(tx, externalIdValue, body));
}

/**
 * upsertCustomer's writes inside a caller's write transaction (the ingest door counts the request in
 * the same one). A refusal is thrown before anything is written.
 */
export async function storeCustomer(
  tx: Tx,
  externalIdValue: string,
  body: CustomerBody,
): Promise<UpsertResult> {
  const now = Date.now();
  const [existing] = await tx
    .select({ id: accounts.id, kind: accounts.kind, name: accounts.name })
    .from(accounts)
    .where(eq(accounts.externalId, externalIdValue));
  const accountId = existing?.id ?? newId();
  const emails = body.contacts.map((c) => c.email);

  if (emails.length > 0) {
    // The company's own lists win over invitations made in the portal.
    const [taken] = await tx
      .select({ email: contacts.email })
      .from(contacts)
      .where(
        and(
          inArray(contacts.email, emails),
          ne(contacts.accountId, accountId),
          eq(contacts.source, "ingest"),
        ),
      )
      .limit(1);
    if (taken) {
      throw new DomainError(
        "CONFLICT",
        "ingest.contactOnOtherAccount",
        `contacts.${emails.indexOf(taken.email)}.email`,
      );
    }
  }

  const listed = existing
    ? await tx
        .select()
        .from(contacts)
        .where(and(eq(contacts.accountId, accountId), eq(contacts.source, "ingest")))
    : [];
  const sameContacts =
    listed.length === body.contacts.length &&
    body.contacts.every((c) =>
      listed.some((k) => k.email === c.email && k.name === c.name && k.isAdmin === c.isAdmin),
    );
  if (existing && existing.kind === body.kind && existing.name === body.name && sameContacts) {
    return { result: "unchanged", id: accountId };
  }

  if (existing) {
    await tx
      .update(accounts)
      .set({ kind: body.kind, name: body.name, updatedAt: now })
      .where(eq(accounts.id, accountId));
  } else {
    await tx.insert(accounts).values({
      id: accountId,
      kind: body.kind,
      name: body.name,
      externalId: externalIdValue,
      createdAt: now,
      updatedAt: now,
    });
  }
  // The company's list replaces its own earlier list; people invited in the portal stay unless the
  // company lists them (here or on another account).
  await tx
    .delete(contacts)
    .where(
      emails.length > 0
        ? or(
            and(eq(contacts.accountId, accountId), eq(contacts.source, "ingest")),
            inArray(contacts.email, emails),
          )
        : and(eq(contacts.accountId, accountId), eq(contacts.source, "ingest")),
    );
  if (body.contacts.length > 0) {
    await tx.insert(contacts).values(
      body.contacts.map((c) => ({
        id: newId(),
        accountId,
        ...c,
        source: "ingest" as const,
        createdAt: now,
      })),
    );
  }

  // People who are no longer contacts lose access; verified users who now are contacts gain it.
  const affected = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      or(
        eq(users.accountId, accountId),
        emails.length > 0 ? inArray(users.email, emails) : undefined,
      ),
    );
  for (const user of affected) await syncMembership(tx, user.id);
  return { result: existing ? "updated" : "created", id: accountId };
}

/** Creates or updates an order from its full current state; status changes append to its timeline. */
export function upsertOrder(
  db: Db,
  externalIdValue: string,
  body: OrderBody,
): Promise<UpsertResult> {
  return db.transaction((tx) => storeOrder(tx, externalIdValue, body));
}

// Every ingest request runs these, so each is built once (db/prepared.ts).
const accountOfCustomer = prepareRows((on) =>
  on
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.externalId, param("customerId"))),
);
const orderOfExternalId = prepareRows((on) =>
  on
    .select({ id: orders.id, status: orders.status, sourceUpdatedAt: orders.sourceUpdatedAt })
    .from(orders)
    .where(eq(orders.externalId, param("externalId"))),
);
const ownerOfNumber = prepareRows((on) =>
  on
    .select({ externalId: orders.externalId })
    .from(orders)
    .where(eq(orders.number, param("number"))),
);
const insertOrder = prepareWrite((on) => on.insert(orders).values(placeholders(orders)));
const insertItem = prepareWrite((on) => on.insert(orderItems).values(placeholders(orderItems)));
const insertShipment = prepareWrite((on) => on.insert(shipments).values(placeholders(shipments)));
const insertEvent = prepareWrite((on) => on.insert(orderEvents).values(placeholders(orderEvents)));

/**
 * upsertOrder's writes inside a caller's write transaction (the ingest door counts the request in the
 * same one). A refusal is thrown before anything is written.
 */
export async function storeOrder(
  tx: Tx,
  externalIdValue: string,
  body: OrderBody,
): Promise<UpsertResult> {
  const now = Date.now();
  const [account] = await accountOfCustomer.all(tx, { customerId: body.customerId });
  if (!account)
    throw new DomainError("UNPROCESSABLE_CONTENT", "ingest.unknownCustomer", "customerId");

  const [existing] = await orderOfExternalId.all(tx, { externalId: externalIdValue });
  if (existing && body.updatedAt <= existing.sourceUpdatedAt) {
    return {
      result: body.updatedAt === existing.sourceUpdatedAt ? "unchanged" : "ignored",
      id: existing.id,
    };
  }

  const [numberOwner] = await ownerOfNumber.all(tx, { number: body.number });
  if (numberOwner && numberOwner.externalId !== externalIdValue) {
    throw new DomainError("CONFLICT", "ingest.numberTaken", "number");
  }

  const id = existing?.id ?? newId();
  const row = {
    accountId: account.id,
    number: body.number,
    status: body.status,
    currency: body.currency,
    subtotal: body.subtotal,
    shipping: body.shipping,
    tax: body.tax,
    discount: body.discount,
    total: body.total,
    itemCount: body.items.reduce((n, item) => n + item.quantity, 0),
    placedAt: body.placedAt,
    placedByEmail: body.placedBy?.email ?? null,
    placedByName: body.placedBy?.name ?? null,
    shippingAddress: body.shippingAddress ?? null,
    billingAddress: body.billingAddress ?? null,
    sourceUpdatedAt: body.updatedAt,
    updatedAt: now,
  };
  if (existing) {
    await tx.update(orders).set(row).where(eq(orders.id, id));
    await tx.delete(orderItems).where(eq(orderItems.orderId, id));
    await tx.delete(shipments).where(eq(shipments.orderId, id));
  } else {
    await insertOrder.run(tx, { id, externalId: externalIdValue, createdAt: now, ...row });
  }
  for (const [position, item] of body.items.entries()) {
    const { sku, name, quantity, unitPrice, lineTotal } = item;
    await insertItem.run(tx, {
      id: newId(),
      orderId: id,
      position,
      sku,
      name,
      quantity,
      unitPrice,
      lineTotal,
    });
  }
  for (const [position, s] of body.shipments.entries()) {
    await insertShipment.run(tx, {
      id: newId(),
      orderId: id,
      position,
      carrier: s.carrier,
      trackingNumber: s.trackingNumber ?? null,
      status: s.status,
      shippedAt: s.shippedAt ?? null,
      deliveredAt: s.deliveredAt ?? null,
    });
  }
  if (!existing || existing.status !== body.status) {
    await insertEvent.run(tx, {
      id: newId(),
      orderId: id,
      status: body.status,
      at: existing ? body.updatedAt : body.placedAt,
    });
  }
  return { result: existing ? "updated" : "created", id };
}
