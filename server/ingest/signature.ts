// Request signing for the ingest API: HMAC-SHA256, keyed with the API key, over "<timestamp>.<body>".
// The timestamp (Unix seconds) is part of what is signed, so a captured request cannot be replayed
// once it is more than five minutes old.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "tengsl-signature";
export const TIMESTAMP_HEADER = "tengsl-timestamp";
export const MAX_CLOCK_SKEW_S = 5 * 60;

export function sign(key: string, timestamp: string, body: string | Buffer): string {
  return `v1=${createHmac("sha256", key).update(`${timestamp}.`).update(body).digest("hex")}`;
}

export type SignatureProblem = "missing_signature" | "stale_timestamp" | "invalid_signature";

/** null when the signature is valid and fresh, otherwise what is wrong with it. */
export function checkSignature(
  key: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: Buffer,
  nowS = Math.floor(Date.now() / 1000),
): SignatureProblem | null {
  if (!timestamp || !signature) return "missing_signature";
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > MAX_CLOCK_SKEW_S) {
    return "stale_timestamp";
  }
  const expected = Buffer.from(sign(key, timestamp, body));
  const given = Buffer.from(signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? null
    : "invalid_signature";
}
