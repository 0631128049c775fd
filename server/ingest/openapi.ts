// The OpenAPI 3.1 document of the ingest API, made from the same zod schemas that validate requests.
import { z } from "zod";
import { customerBody, externalId, orderBody } from "../services/ingest";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./signature";

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
const upsertResult = z.object({
  result: z.enum(["created", "updated", "unchanged", "ignored"]),
  id: z.string().describe("Tengsl's own id of the record"),
});

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { target: "draft-2020-12", io: "input", unrepresentable: "any" });

function upsert(summary: string, body: z.ZodType, description: string) {
  return {
    put: {
      summary,
      description,
      security: [{ apiKey: [] }],
      parameters: [
        { name: "externalId", in: "path", required: true, schema: schema(externalId) },
        {
          name: TIMESTAMP_HEADER,
          in: "header",
          required: true,
          schema: { type: "string" },
          description: "Unix time in seconds; refused when more than 5 minutes off",
        },
        {
          name: SIGNATURE_HEADER,
          in: "header",
          required: true,
          schema: { type: "string" },
          description:
            "v1= and the hex HMAC-SHA256, keyed with the API key, of: timestamp, newline, method, newline, path, newline, body (see docs/api.md)",
        },
      ],
      requestBody: { required: true, content: { "application/json": { schema: schema(body) } } },
      responses: {
        "200": {
          description: "Updated, unchanged, or ignored as older than the stored state",
          content: { "application/json": { schema: schema(upsertResult) } },
        },
        "201": {
          description: "Created",
          content: { "application/json": { schema: schema(upsertResult) } },
        },
        "400": {
          description: "Invalid JSON or body; every invalid field is listed",
          content: { "application/json": { schema: schema(errorBody) } },
        },
        "401": {
          description: "Missing or unknown key, bad signature or stale timestamp",
          content: { "application/json": { schema: schema(errorBody) } },
        },
        "409": {
          description: "Conflicts with another record (an order number, a contact's email)",
          content: { "application/json": { schema: schema(errorBody) } },
        },
        "413": {
          description: "Body over 1 MB",
          content: { "application/json": { schema: schema(errorBody) } },
        },
        "422": {
          description: "Refers to a customer Tengsl does not know",
          content: { "application/json": { schema: schema(errorBody) } },
        },
        "429": {
          description: "Over the key's rate; see Retry-After",
          content: { "application/json": { schema: schema(errorBody) } },
        },
      },
    },
  };
}

let cached: string | undefined;

export function openApiDocument(serverUrl: string): string {
  cached ??= JSON.stringify({
    openapi: "3.1.0",
    info: {
      title: "Tengsl ingest API",
      version: "1",
      description:
        "How a company's shop or ERP keeps Tengsl's customers and orders current. See docs/api.md.",
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key made by an admin in the staff console",
        },
      },
    },
    paths: {
      "/customers/{externalId}": upsert(
        "Create or update a customer",
        customerBody,
        "An account (person or business) and exactly this list of contacts.",
      ),
      "/orders/{externalId}": upsert(
        "Create or update an order",
        orderBody,
        "The order's full current state. An update whose updatedAt is older than the stored one is acknowledged and ignored.",
      ),
    },
  });
  return cached;
}
