// Two-factor codes, pure functions: RFC 6238 time-based codes (30-second steps, 6 digits, SHA-1, which is
// what every authenticator app reads from an otpauth:// URI) and one-time recovery codes. The services in
// server/services/two-factor.ts keep the state (keys, used steps, challenges).
import { createHash, randomBytes } from "node:crypto";
import { decodeBase32IgnorePadding, encodeBase32NoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP, verifyHOTP } from "@oslojs/otp";

export const TOTP_ISSUER = "Tengsl";
export const TOTP_STEP_MS = 30_000;
const DIGITS = 6;
/** Steps either side of now that are accepted, for phones whose clocks drift. */
const DRIFT_STEPS = 1;

/** A new shared key: 160 bits (RFC 4226's recommended size), base32 as apps show and take it. */
export const newTotpKey = () => encodeBase32NoPadding(randomBytes(20));

export const totpUri = (email: string, key: string) =>
  createTOTPKeyURI(TOTP_ISSUER, email, decodeBase32IgnorePadding(key), TOTP_STEP_MS / 1000, DIGITS);

export const totpStep = (now: number) => Math.floor(now / TOTP_STEP_MS);

export const totpCode = (key: string, step: number) =>
  generateHOTP(decodeBase32IgnorePadding(key), BigInt(step), DIGITS);

/** People type codes with spaces ("123 456") or paste them with dashes. */
export const normalizeCode = (code: string) => code.replace(/[\s-]/g, "").toLowerCase();

export const isTotpCode = (code: string) => /^\d{6}$/.test(normalizeCode(code));

/** The time step whose code this is, within the drift allowed around now; null when none matches. */
export function matchTotp(key: string, code: string, now: number): number | null {
  const otp = normalizeCode(code);
  if (!/^\d{6}$/.test(otp)) return null;
  const bytes = decodeBase32IgnorePadding(key);
  const current = totpStep(now);
  for (let step = Math.max(0, current - DRIFT_STEPS); step <= current + DRIFT_STEPS; step++) {
    if (verifyHOTP(bytes, BigInt(step), DIGITS, otp)) return step;
  }
  return null;
}

/** How long the second step of a sign-in may take (the challenge and its cookie). */
export const CHALLENGE_TTL_MS = 10 * 60 * 1000;

export const RECOVERY_CODE_COUNT = 10;

/** Ten base32 characters (50 bits), shown as "abcde-fghij"; each works once. */
export function newRecoveryCode(): string {
  const raw = encodeBase32NoPadding(randomBytes(7)).slice(0, 10).toLowerCase();
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** Recovery codes are stored as SHA-256 of their normalized form: a copy of the database holds none. */
export const hashRecoveryCode = (code: string) =>
  createHash("sha256").update(normalizeCode(code)).digest("hex");
