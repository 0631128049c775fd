// Orders as customers see them: every read is scoped to the caller's account, so a contact of a business
// account sees all of its orders and nobody sees another account's.
import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import {
  orderEvents,
  orderItems,
  orders,
  orderStatuses,
  shipments,
  type ShipmentStatus,
} from "../../db/schema";
import type { CustomerActor, StaffActor } from "../actor";
import { notFound } from "../errors";
import { afterCursor, decodeCursor, encodeCursor } from "./cursor";
import { param, perShape, prepareRows } from "../../db/prepared";
import { dateRangeFields, rangeInOrder } from "./date-range";

export const PAGE_SIZE = 20;

export const listOrdersInput = rangeInOrder(
  z.object({
    status: z.enum(orderStatuses).optional(),
    /** Placed on or after `from`, before `to`. */
    ...dateRangeFields,
    q: z.string().trim().max(100, { error: "validation.searchTooLong" }).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).default(PAGE_SIZE),
  }),
);
export type ListOrdersInput = z.input<typeof listOrdersInput>;

const listColumns = {
  id: orders.id,
  number: orders.number,
  status: orders.status,
  currency: orders.currency,
  total: orders.total,
  itemCount: orders.itemCount,
  placedAt: orders.placedAt,
  placedByName: orders.placedByName,
};

/** A page of the caller's account's orders, newest first, after the cursor (keyset, no OFFSET). */
export async function listOrders(
  db: Db,
  actor: CustomerActor,
  input: z.output<typeof listOrdersInput>,
) {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const query = ordersPage({
    status: input.status !== undefined,
    from: input.from !== undefined,
    to: input.to !== undefined,
    q: Boolean(input.q),
    cursor: after !== null,
  });
  const rows = await query.all(db, {
    accountId: actor.accountId,
    status: input.status,
    from: input.from,
    to: input.to,
    number: input.q?.replace(/^#/, ""),
    pattern: input.q && `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    at: after?.at,
    afterId: after?.id,
    limit: input.limit + 1,
  });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > input.limit && last ? encodeCursor({ at: last.placedAt, id: last.id }) : null,
  };
}

/** The list's query for each combination of filters, with the values as placeholders. */
const ordersPage = perShape(
  (shape: { status: boolean; from: boolean; to: boolean; q: boolean; cursor: boolean }) =>
    prepareRows((on) =>
      on
        .select(listColumns)
        .from(orders)
        .where(
          and(
            eq(orders.accountId, param("accountId")),
            shape.status ? eq(orders.status, param("status")) : undefined,
            shape.from ? gte(orders.placedAt, param("from")) : undefined,
            shape.to ? lt(orders.placedAt, param("to")) : undefined,
            // The order number (with or without "#"), or a product name or SKU on one of its lines.
            shape.q
              ? or(
                  eq(orders.number, param("number")),
                  sql`exists (select 1 from ${orderItems} where ${orderItems.orderId} = ${orders.id} and (${orderItems.name} like ${param("pattern")} escape '\\' or ${orderItems.sku} like ${param("pattern")} escape '\\'))`,
                )
              : undefined,
            shape.cursor
              ? afterCursor(
                  orders.placedAt,
                  orders.id,
                  { at: param("at"), id: param("afterId") },
                  "desc",
                )
              : undefined,
          ),
        )
        .orderBy(desc(orders.placedAt), desc(orders.id))
        .limit(param("limit")),
    ),
);

/** What a customer sees of an order line. */
export const itemColumns = {
  sku: orderItems.sku,
  name: orderItems.name,
  quantity: orderItems.quantity,
  unitPrice: orderItems.unitPrice,
  lineTotal: orderItems.lineTotal,
};

/** One of the caller's account's orders with everything the detail page shows, or NOT_FOUND. */
export function getOrder(db: Db, actor: CustomerActor, id: string) {
  return orderDetail(db, and(eq(orders.id, id), eq(orders.accountId, actor.accountId))!);
}

/** Any order, for staff helping its customer: the same page the customer sees. */
export function getOrderForStaff(db: Db, _actor: StaffActor, id: string) {
  return orderDetail(db, eq(orders.id, id));
}

async function orderDetail(db: Db, where: SQL) {
  const [order] = await db
    .select({
      ...listColumns,
      subtotal: orders.subtotal,
      shipping: orders.shipping,
      tax: orders.tax,
      discount: orders.discount,
      placedByEmail: orders.placedByEmail,
      shippingAddress: orders.shippingAddress,
      billingAddress: orders.billingAddress,
    })
    .from(orders)
    .where(where);
  if (!order) throw notFound();
  const [items, shipmentRows, events] = await Promise.all([
    db
      .select(itemColumns)
      .from(orderItems)
      .where(eq(orderItems.orderId, order.id))
      .orderBy(asc(orderItems.position)),
    db
      .select({
        carrier: shipments.carrier,
        trackingNumber: shipments.trackingNumber,
        status: shipments.status,
        shippedAt: shipments.shippedAt,
        deliveredAt: shipments.deliveredAt,
      })
      .from(shipments)
      .where(eq(shipments.orderId, order.id))
      .orderBy(asc(shipments.position)),
    db
      .select({ status: orderEvents.status, at: orderEvents.at })
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id))
      .orderBy(asc(orderEvents.at)),
  ]);
  return {
    ...order,
    items,
    shipments: shipmentRows.map((s) => ({ ...s, ...tracking(s.carrier, s.trackingNumber) })),
    events,
  };
}

const inTransit: ShipmentStatus[] = ["in_transit", "out_for_delivery"];

/** For the customer home: the latest orders, and shipments on their way. */
export async function getOrdersOverview(db: Db, actor: CustomerActor) {
  const [latest, moving] = await Promise.all([
    db
      .select(listColumns)
      .from(orders)
      .where(eq(orders.accountId, actor.accountId))
      .orderBy(desc(orders.placedAt), desc(orders.id))
      .limit(5),
    db
      .select({
        orderId: orders.id,
        number: orders.number,
        carrier: shipments.carrier,
        trackingNumber: shipments.trackingNumber,
        status: shipments.status,
        shippedAt: shipments.shippedAt,
      })
      .from(shipments)
      .innerJoin(orders, eq(orders.id, shipments.orderId))
      .where(and(eq(orders.accountId, actor.accountId), inArray(shipments.status, inTransit)))
      .orderBy(desc(shipments.shippedAt))
      .limit(10),
  ]);
  return {
    latest,
    inTransit: moving.map((s) => ({ ...s, ...tracking(s.carrier, s.trackingNumber) })),
  };
}

/** Carriers we know by name and whose public tracking page we can link to; others show as sent. */
const carriers: Record<string, { name: string; page: (n: string) => string }> = {
  posturinn: {
    name: "Pósturinn",
    page: (n) => `https://posturinn.is/einstaklingar/mottaka/finna-sendingu/?q=${n}`,
  },
  dhl: {
    name: "DHL",
    page: (n) =>
      `https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id=${n}`,
  },
  ups: { name: "UPS", page: (n) => `https://www.ups.com/track?tracknum=${n}` },
  fedex: { name: "FedEx", page: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}` },
  gls: { name: "GLS", page: (n) => `https://gls-group.com/track/${n}` },
};

/** The carrier's display name, and a link to its tracking page when the carrier is known. */
export function tracking(carrier: string, trackingNumber: string | null) {
  const known = carriers[carrier.trim().toLowerCase()];
  return {
    carrier: known?.name ?? carrier,
    trackingUrl: known && trackingNumber ? known.page(encodeURIComponent(trackingNumber)) : null,
  };
}
