// The ingest API over HTTP, as a company's shop would use it: keys, signatures, errors and idempotency.
import { createClient } from "@libsql/client";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { orderBody } from "../factories/orders";
import { createApiKey, put } from "../helpers/ingest";
import { startServer } from "../helpers/server";

const base = inject("baseUrl");
const dbUrl = inject("dbUrl");
let key = "";

async function countRows(sql: string, args: string[] = []): Promise<number> {
  const client = createClient({ url: dbUrl });
  try {
    return Number((await client.execute({ sql, args })).rows[0]?.n);
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  key = await createApiKey(base);
  const res = await put(base, key, "/customers/E2E-1", {
    kind: "person",
    name: "Ingest Person",
    contacts: [{ email: "ingest@example.com", name: "Ingest Person" }],
  });
  expect(res.status).toBe(201);
});

describe("PUT /api/v1/orders/{id}", () => {
  it("creates an order once, however often the same body arrives", async () => {
    const body = orderBody("E2E-1", { number: "E2E-100" });
    const first = await put(base, key, "/orders/E2E-ORDER-1", body);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ result: "created" });
    const again = await put(base, key, "/orders/E2E-ORDER-1", body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ result: "unchanged" });
    expect(await countRows("select count(*) n from orders where number = ?", ["E2E-100"])).toBe(1);
    expect(
      await countRows(
        "select count(*) n from order_events e join orders o on o.id = e.order_id where o.number = ?",
        ["E2E-100"],
      ),
    ).toBe(1);
  });

  it("acknowledges an out-of-order update and ignores it", async () => {
    const body = orderBody("E2E-1", { number: "E2E-101", status: "shipped" });
    await put(base, key, "/orders/E2E-ORDER-2", body);
    const late = await put(base, key, "/orders/E2E-ORDER-2", {
      ...body,
      status: "processing",
      updatedAt: body.updatedAt - 1000,
    });
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ result: "ignored" });
    expect(
      await countRows("select count(*) n from orders where number = ? and status = 'shipped'", [
        "E2E-101",
      ]),
    ).toBe(1);
  });

  it("lists every invalid field with the reason, and stores nothing", async () => {
    const res = await put(base, key, "/orders/E2E-BAD", {
      ...orderBody("E2E-1", { number: "E2E-BAD" }),
      currency: "kr",
      items: [{ sku: "", quantity: 0 }],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; fields: { path: string; message: string }[] };
    };
    expect(body.error.code).toBe("invalid_body");
    expect(body.error.fields.map((f) => f.path)).toEqual(
      expect.arrayContaining(["currency", "items.0.sku", "items.0.name", "items.0.quantity"]),
    );
    expect(body.error.fields.every((f) => f.message.length > 0)).toBe(true);
    expect(await countRows("select count(*) n from orders where number = ?", ["E2E-BAD"])).toBe(0);
  });

  it("refuses malformed JSON, an unknown customer and a number in use", async () => {
    const broken = await put(base, key, "/orders/E2E-X", "{not json");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: "invalid_json" } });
    const unknown = await put(base, key, "/orders/E2E-X", orderBody("NO-SUCH-CUSTOMER"));
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({
      error: { code: "unprocessable_content", fields: [{ path: "customerId" }] },
    });
    const taken = await put(base, key, "/orders/E2E-Y", orderBody("E2E-1", { number: "E2E-100" }));
    expect(taken.status).toBe(409);
  });

  it("refuses a body over 1 MB with 413", async () => {
    const res = await put(base, key, "/orders/E2E-BIG", {
      ...orderBody("E2E-1"),
      padding: "x".repeat(1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "body_too_large" } });
  });
});

describe("authentication", () => {
  it("refuses a missing or unknown key", async () => {
    const none = await fetch(`${base}/api/v1/orders/X`, {
      method: "PUT",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "missing_key" } });
    const unknown = await put(base, "tsk_not-a-real-key", "/orders/X", orderBody("E2E-1"));
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: "invalid_key" } });
  });

  it("refuses a wrong signature and a stale timestamp, and stores nothing", async () => {
    const body = orderBody("E2E-1", { number: "E2E-SIG" });
    const forged = await put(base, key, "/orders/E2E-SIG", body, {
      signature: "v1=" + "0".repeat(64),
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: "invalid_signature" } });
    const stale = await put(base, key, "/orders/E2E-SIG", body, {
      timestamp: String(Math.floor(Date.now() / 1000) - 301),
    });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ error: { code: "stale_timestamp" } });
    expect(await countRows("select count(*) n from orders where number = ?", ["E2E-SIG"])).toBe(0);
  });

  it("refuses a signed request replayed against another record", async () => {
    const { sign } = await import("../../server/ingest/signature");
    const body = orderBody("E2E-1", { number: "E2E-REPLAY" });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(key, timestamp, {
      method: "PUT",
      path: "/api/v1/orders/E2E-A",
      body: JSON.stringify(body),
    });
    const replayed = await put(base, key, "/orders/E2E-B", body, { timestamp, signature });
    expect(replayed.status).toBe(401);
    expect(await countRows("select count(*) n from orders where number = ?", ["E2E-REPLAY"])).toBe(
      0,
    );
  });

  it("limits each key's rate with 429 and Retry-After, counting refused requests too", async () => {
    const server = await startServer({ INGEST_RATE_PER_MINUTE: "3" });
    try {
      const limited = await createApiKey(server.url);
      const person = { kind: "person", name: "R" };
      const statuses = [
        (await put(server.url, limited, "/customers/R-1", person)).status,
        (await put(server.url, limited, "/customers/R-2", "{not json")).status,
        (await put(server.url, limited, "/orders/R-ORDER", orderBody("NO-SUCH-CUSTOMER"))).status,
        (await put(server.url, limited, "/customers/R-3", person)).status,
        // Over the limit, a bad body hears 429 too, before its own error.
        (await put(server.url, limited, "/customers/R-4", "{not json")).status,
      ];
      expect(statuses).toEqual([201, 400, 422, 429, 429]);
      const res = await put(server.url, limited, "/customers/R-1", person);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});

describe("the API's description", () => {
  it("is an OpenAPI 3.1 document made from the validating schemas", async () => {
    const res = await fetch(`${base}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        {
          put: {
            requestBody: {
              content: {
                "application/json": {
                  schema: { properties: Record<string, unknown>; required: string[] };
                };
              };
            };
          };
        }
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    const order =
      doc.paths["/orders/{externalId}"]!.put.requestBody.content["application/json"].schema;
    expect(order.required).toEqual(
      expect.arrayContaining(["customerId", "number", "status", "currency", "items", "updatedAt"]),
    );
    expect(Object.keys(order.properties)).toContain("shipments");
  });

  it("answers unknown paths and wrong methods with JSON errors", async () => {
    const missing = await fetch(`${base}/api/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    const badId = await put(base, key, "/orders/%E0%A4%A", orderBody("E2E-1"));
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ error: { code: "invalid_id" } });
    const get = await fetch(`${base}/api/v1/orders/X`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("PUT");
  });
});
