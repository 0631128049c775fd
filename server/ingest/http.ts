// The ingest door (/api/v1): plain HTTP and JSON for company systems, authenticated with an API key and
// a request signature, rate-limited per key, and idempotent.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ZodType } from "zod";
import type { Db, Tx } from "../../db/client";
import { translator } from "../../site/i18n";
import { DomainError } from "../errors";
import { authenticateApiKey } from "../services/api-keys";
import {
  customerBody,
  externalId,
  orderBody,
  storeCustomer,
  storeOrder,
  type UpsertResult,
} from "../services/ingest";
import { countedWrite, hit, type Limit } from "../services/rate-limit";
import { openApiDocument } from "./openapi";
import { checkSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./signature";

export const INGEST_PATH = "/api/v1";
export const INGEST_MAX_BODY_BYTES = 1024 * 1024;

/** The body schema of each endpoint (PUT /api/v1/{name}/{externalId}); also read by the OpenAPI document's tests. */
export const ingestBodies = { customers: customerBody, orders: orderBody } as const;
export type IngestRoute = keyof typeof ingestBodies;

/**
 * Every path the door answers, with its method: the authorization and fuzz tests enumerate this table,
 * so a new endpoint cannot be left out of them.
 */
export const ingestRoutes = [
  { method: "GET", path: "/openapi.json", auth: "public" },
  ...Object.keys(ingestBodies).map(
    (name) => ({ method: "PUT", path: `/${name}/{externalId}`, auth: "apiKey" }) as const,
  ),
] as const satisfies readonly { method: string; path: string; auth: "public" | "apiKey" }[];

/**
 * Each endpoint validates its body with the schema the OpenAPI document is made from, and gives the
 * upsert to run in the request's transaction (the one its rate-limit count commits in).
 */
type Upsert = (tx: Tx) => Promise<UpsertResult>;
const routes: Record<IngestRoute, (id: string, json: unknown) => Upsert> = {
  customers: (id, json) => {
    const body = validate(ingestBodies.customers, json);
    return (tx) => storeCustomer(tx, id, body);
  },
  orders: (id, json) => {
    const body = validate(ingestBodies.orders, json);
    return (tx) => storeOrder(tx, id, body);
  },
};

function validate<T>(schema: ZodType<T>, json: unknown): T {
  const body = schema.safeParse(json);
  if (body.success) return body.data;
  const fields = body.error.issues.map((i) => ({
    path: i.path.join(".") || "(body)",
    message: i.message,
  }));
  throw new HttpError(
    400,
    "invalid_body",
    `The body has ${fields.length} invalid field(s).`,
    fields,
  );
}

const english = translator("en");
const statusOf: Record<DomainError["code"], number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: { path: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function createIngestHandler(db: Db, { publicUrl, rate }: { publicUrl: URL; rate: Limit }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const path = (req.url ?? "").split("?")[0]!.slice(INGEST_PATH.length);
      if (path === "/openapi.json") {
        if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed("GET");
        return send(res, 200, openApiDocument(publicUrl.origin));
      }
      const match = /^\/([a-z]+)\/([^/]+)$/.exec(path);
      const route =
        match && Object.hasOwn(routes, match[1]!) ? routes[match[1] as IngestRoute] : undefined;
      if (!match || !route)
        throw new HttpError(404, "not_found", "No such endpoint. See /api/v1/openapi.json.");
      if (req.method !== "PUT") throw methodNotAllowed("PUT");

      const id = externalId.safeParse(safeDecode(match[2]!));
      if (!id.success)
        throw new HttpError(400, "invalid_id", "The id in the path is not valid.", [
          { path: "externalId", message: id.error.issues[0]?.message ?? "invalid" },
        ]);

      const key = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
      if (!key)
        throw new HttpError(
          401,
          "missing_key",
          "Send your API key as Authorization: Bearer <key>.",
        );
      const keyId = await authenticateApiKey(db, key);
      if (!keyId) throw new HttpError(401, "invalid_key", "This API key is unknown or revoked.");

      // Every request with a known key counts, refused ones too, and one over the limit hears 429
      // before anything else. An accepted one is counted in its own write's transaction: one commit.
      const quota = `ingest:${keyId}`;
      let upsert: Upsert;
      try {
        upsert = route(id.data, await signedJson(req, key));
      } catch (error) {
        const limit = await hit(db, quota, rate);
        throw limit.allowed ? error : tooMany(limit.retryAfterMs);
      }
      const outcome = await countedWrite(db, quota, rate, upsert);
      if (!outcome.allowed) throw tooMany(outcome.retryAfterMs);
      const result = outcome.value;
      return send(res, result.result === "created" ? 201 : 200, JSON.stringify(result));
    } catch (error) {
      return sendError(res, error);
    }
  };
}

/** The body, once its type, size and signature are right and it parses as JSON. */
async function signedJson(req: IncomingMessage, key: string): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    throw new HttpError(415, "unsupported_media_type", "Send the body as application/json.");
  }
  const raw = await readBody(req, INGEST_MAX_BODY_BYTES);
  const problem = checkSignature(
    key,
    header(req, TIMESTAMP_HEADER),
    header(req, SIGNATURE_HEADER),
    {
      method: req.method ?? "PUT",
      path: req.url ?? "",
      body: raw,
    },
  );
  if (problem) throw new HttpError(401, problem, signatureMessages[problem]);
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
}

function tooMany(retryAfterMs: number) {
  const seconds = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return new HttpError(
    429,
    "rate_limited",
    `Too many requests for this key; retry in ${seconds} s.`,
    undefined,
    { "Retry-After": seconds },
  );
}

const signatureMessages = {
  missing_signature: `Sign the request: send ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} (see docs/api.md).`,
  stale_timestamp: `${TIMESTAMP_HEADER} is more than 5 minutes from the server's clock (or not Unix seconds).`,
  invalid_signature: "The signature does not match the body and timestamp.",
};

const methodNotAllowed = (allow: string) =>
  new HttpError(405, "method_not_allowed", `Use ${allow}.`, undefined, { Allow: allow });

/** A path segment decoded, or the raw segment when its %-escapes are broken (then refused as invalid). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, "body_too_large", `The body is larger than ${max} bytes.`);
  if (Number(req.headers["content-length"] ?? 0) > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners("data");
        req.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof DomainError) {
    const fields = error.field
      ? [{ path: error.field, message: english(error.messageKey) }]
      : undefined;
    error = new HttpError(
      statusOf[error.code],
      error.code.toLowerCase(),
      english(error.messageKey),
      fields,
    );
  }
  if (!(error instanceof HttpError)) {
    console.error("Ingest request failed:", error);
    error = new HttpError(500, "internal", "Something went wrong on our side; retry later.");
  }
  const e = error as HttpError;
  const body = {
    error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) },
  };
  if (e.status === 413) res.setHeader("Connection", "close");
  send(res, e.status, JSON.stringify(body), e.headers);
}
