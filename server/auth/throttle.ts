// Limits on the doors people can hammer: guessing passwords or mailed links, and making Tengsl send mail
// to an address. Each limit lets a few attempts through freely, then makes the next wait, doubling the
// wait with every further one (server/services/rate-limit.ts keeps the counts in the database).
import type { Db } from "../../db/client";
import { DomainError } from "../errors";
import { forget, giveBack, takeTurn, type Backoff } from "../services/rate-limit";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** 1 s, 2 s, 4 s … up to 15 minutes, forgotten after 15 quiet minutes beyond the wait. */
const guessing = { baseDelayMs: SECOND, maxDelayMs: 15 * MINUTE, forgetAfterMs: 15 * MINUTE };

export const limits = {
  /** Failed sign-ins for one address, and from one IP address. */
  signInFailuresPerEmail: { free: 5, ...guessing },
  signInFailuresPerIp: { free: 20, ...guessing },
  /** Mailed links (reset, verification, invitation) that turned out unknown, used or expired, per IP. */
  linkFailuresPerIp: { free: 10, ...guessing },
  signUpsPerIp: { free: 30, baseDelayMs: 10 * SECOND, maxDelayMs: HOUR, forgetAfterMs: HOUR },
  /** Mail Tengsl sends on request (verification, reset, email change, invitation) to one address. */
  mailsPerAddress: { free: 5, baseDelayMs: MINUTE, maxDelayMs: HOUR, forgetAfterMs: HOUR },
  mailRequestsPerIp: { free: 30, baseDelayMs: 10 * SECOND, maxDelayMs: HOUR, forgetAfterMs: HOUR },
  requestsPerUser: { free: 30, baseDelayMs: MINUTE, maxDelayMs: HOUR, forgetAfterMs: HOUR },
} satisfies Record<string, Backoff>;

type Check = readonly [key: string, limit: Backoff];

/** The refusal: 429 at the doors, with the whole seconds to wait (at least 1) for Retry-After. */
export const tooMany = (retryAfterMs: number) =>
  new DomainError(
    "TOO_MANY_REQUESTS",
    "error.tooManyRequests",
    undefined,
    Math.max(1, Math.ceil(retryAfterMs / SECOND)),
  );

/** Counts a request against each limit, or refuses it (counting nothing) while any must wait. */
export async function throttle(db: Db, checks: Check[], now = Date.now()): Promise<void> {
  const turn = await takeTurn(db, checks, now);
  if (!turn.allowed) throw tooMany(turn.retryAfterMs);
}

/**
 * Runs an attempt that may fail (a password or a link check) under the limits. The attempt is counted
 * before it runs, so parallel guesses cannot all pass an empty counter, and a refused attempt never
 * runs at all. Afterwards only failures stay counted: the keys in `clearOnSuccess` are forgotten on
 * success, the others get their count back.
 */
async function guardFailures<T>(
  db: Db,
  checks: Check[],
  isFailure: (error: unknown) => boolean,
  attempt: () => Promise<T>,
  clearOnSuccess: ReadonlySet<string> = new Set(),
  now = Date.now(),
): Promise<T> {
  await throttle(db, checks, now);
  const release = (success: boolean) =>
    Promise.all(
      checks.map(([key]) =>
        success && clearOnSuccess.has(key) ? forget(db, key) : giveBack(db, key),
      ),
    );
  let result: T;
  try {
    result = await attempt();
  } catch (error) {
    if (!isFailure(error)) await release(false);
    throw error;
  }
  await release(true);
  return result;
}

const isDomainError = (code: string, key?: string) => (error: unknown) =>
  error instanceof DomainError && error.code === code && (!key || error.messageKey === key);

/**
 * A sign-in attempt, refused while the address or the IP must wait. Success forgets the address's
 * failures (its owner is back) but not the IP's, which may be guessing at many addresses.
 */
export function guardSignIn<T>(
  db: Db,
  email: string,
  ip: string | null,
  attempt: () => Promise<T>,
  now = Date.now(),
): Promise<T> {
  const emailKey = `signin:email:${email}`;
  const checks: Check[] = [[emailKey, limits.signInFailuresPerEmail]];
  if (ip) checks.push([`signin:ip:${ip}`, limits.signInFailuresPerIp]);
  return guardFailures(
    db,
    checks,
    isDomainError("UNAUTHORIZED"),
    attempt,
    new Set([emailKey]),
    now,
  );
}

/** Using a mailed link (reset, verification, invitation), refused while the IP guesses at links. */
export function guardLink<T>(db: Db, ip: string | null, attempt: () => Promise<T>): Promise<T> {
  if (!ip) return attempt();
  return guardFailures(
    db,
    [[`link:ip:${ip}`, limits.linkFailuresPerIp]],
    isDomainError("BAD_REQUEST", "identity.linkInvalid"),
    attempt,
  );
}
