import type { OrderBody } from "../../server/services/ingest";

let counter = 0;

/** A valid order body for the ingest API's upsert, for the customer with this external id. */
export function orderBody(customerId: string, overrides: Partial<OrderBody> = {}): OrderBody {
  const n = ++counter;
  return {
    customerId,
    number: `T-${n}-${Math.random().toString(36).slice(2, 8)}`,
    status: "processing",
    currency: "ISK",
    subtotal: 10_000,
    shipping: 990,
    tax: 2_126,
    discount: 0,
    total: 10_990,
    placedAt: Date.UTC(2026, 9, 1) + n * 60_000,
    items: [{ sku: "SKU-1", name: "Lopapeysa", quantity: 2, unitPrice: 5_000, lineTotal: 10_000 }],
    shipments: [],
    updatedAt: Date.UTC(2026, 9, 1) + n * 60_000,
    ...overrides,
  };
}
