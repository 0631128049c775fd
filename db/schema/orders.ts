// Orders as the company's shop or ERP last described them (the ingest API keeps them current), with
// their items, shipments and a timeline of status changes. Money is integer minor units plus currency.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";

export const orderStatuses = [
  "pending",
  "processing",
  "shipped",
  "delivered",
  "cancelled",
  "refunded",
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const shipmentStatuses = [
  "pending",
  "in_transit",
  "out_for_delivery",
  "delivered",
  "returned",
] as const;
export type ShipmentStatus = (typeof shipmentStatuses)[number];

export interface Address {
  name: string;
  line1: string;
  line2?: string | undefined;
  postalCode: string;
  city: string;
  country: string;
}

export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "restrict" }),
    externalId: text("external_id").notNull().unique(),
    // The number people see and quote (#10423); unique across the company.
    number: text("number").notNull().unique(),
    status: text("status", { enum: orderStatuses }).notNull(),
    currency: text("currency").notNull(),
    subtotal: integer("subtotal").notNull(),
    shipping: integer("shipping").notNull(),
    tax: integer("tax").notNull(),
    discount: integer("discount").notNull(),
    total: integer("total").notNull(),
    itemCount: integer("item_count").notNull(),
    placedAt: integer("placed_at").notNull(),
    placedByEmail: text("placed_by_email"),
    placedByName: text("placed_by_name"),
    shippingAddress: text("shipping_address", { mode: "json" }).$type<Address>(),
    billingAddress: text("billing_address", { mode: "json" }).$type<Address>(),
    // The source's own time of this state; older deliveries are acknowledged and ignored.
    sourceUpdatedAt: integer("source_updated_at").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // Keyset pagination of an account's orders, newest first.
    index("orders_account_placed_idx").on(t.accountId, t.placedAt, t.id),
    // The same pages filtered by status (a big account's few refunded orders are not walked past).
    index("orders_account_status_placed_idx").on(t.accountId, t.status, t.placedAt, t.id),
    check(
      "orders_status_check",
      sql`${t.status} in ('pending', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded')`,
    ),
  ],
);

export const orderItems = sqliteTable(
  "order_items",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    sku: text("sku").notNull(),
    name: text("name").notNull(),
    quantity: integer("quantity").notNull(),
    unitPrice: integer("unit_price").notNull(),
    lineTotal: integer("line_total").notNull(),
  },
  (t) => [index("order_items_order_idx").on(t.orderId, t.position)],
);

export const shipments = sqliteTable(
  "shipments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    carrier: text("carrier").notNull(),
    trackingNumber: text("tracking_number"),
    status: text("status", { enum: shipmentStatuses }).notNull(),
    shippedAt: integer("shipped_at"),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [index("shipments_order_idx").on(t.orderId, t.position)],
);

export const orderEvents = sqliteTable(
  "order_events",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    status: text("status", { enum: orderStatuses }).notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("order_events_order_idx").on(t.orderId, t.at)],
);

export type OrderRow = typeof orders.$inferSelect;
