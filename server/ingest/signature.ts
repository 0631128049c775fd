// Request signing for the ingest API: HMAC-SHA256, keyed with the API key, over the timestamp, method,
// path and body, one per line. The timestamp (Unix seconds) is signed, so a captured request cannot be
// replayed once it is five minutes old, and the path is signed, so a body cannot be sent to another id.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "tengsl-signature";
export const TIMESTAMP_HEADER = "tengsl-timestamp";
export const MAX_CLOCK_SKEW_S = 5 * 60;

export interface SignedRequest {
  method: string;
  /** The path as sent, e.g. /api/v1/orders/SHOP-1 (with the query string, if any). */
  path: string;
  body: string | Buffer;
}

export function sign(
  key: string,
  timestamp: string,
  { method, path, body }: SignedRequest,
): string {
  const hmac = createHmac("sha256", key).update(`${timestamp}\n${method.toUpperCase()}\n${path}\n`);
  return `v1=${hmac.update(body).digest("hex")}`;
}

export type SignatureProblem = "missing_signature" | "stale_timestamp" | "invalid_signature";

/** null when the signature is valid and fresh, otherwise what is wrong with it. */
export function checkSignature(
  key: string,
  timestamp: string | undefined,
  signature: string | undefined,
  request: SignedRequest,
  nowS = Math.floor(Date.now() / 1000),
): SignatureProblem | null {
  if (!timestamp || !signature) return "missing_signature";
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > MAX_CLOCK_SKEW_S) {
    return "stale_timestamp";
  }
  const expected = Buffer.from(sign(key, timestamp, request));
  const given = Buffer.from(signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? null
    : "invalid_signature";
}
