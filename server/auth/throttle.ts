// Limits on the doors people can hammer: guessing passwords, and making Tengsl send mail to an address.
// Counters live in the database (server/services/rate-limit.ts), so every process shares them. Issue 6
// (hardening) refines these into growing delays; the limits here are the floor.
import type { Db } from "../../db/client";
import { DomainError } from "../errors";
import { exhausted, hit, type Limit } from "../services/rate-limit";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const limits = {
  /** Failed sign-ins for one address, and from one IP address. */
  signInFailuresPerEmail: { max: 10, windowMs: 15 * MINUTE },
  signInFailuresPerIp: { max: 50, windowMs: 15 * MINUTE },
  signUpsPerIp: { max: 30, windowMs: HOUR },
  /** Mail Tengsl sends on request (verification, reset, email change, invitation) to one address. */
  mailsPerAddress: { max: 5, windowMs: HOUR },
  mailRequestsPerIp: { max: 30, windowMs: HOUR },
  requestsPerUser: { max: 30, windowMs: HOUR },
} satisfies Record<string, Limit>;

const tooMany = () => new DomainError("TOO_MANY_REQUESTS", "error.tooManyRequests");

/** Counts a request against each limit; refuses it when any is over. */
export async function throttle(db: Db, checks: [key: string, limit: Limit][]): Promise<void> {
  const results = await Promise.all(checks.map(([key, limit]) => hit(db, key, limit)));
  if (results.some((r) => !r.allowed)) throw tooMany();
}

/**
 * Runs a sign-in attempt, refusing it while the address or the IP has too many recent failures; only
 * failures count, so people who type their password right are never locked out by their own use.
 */
export async function guardSignIn<T>(
  db: Db,
  email: string,
  ip: string | null,
  attempt: () => Promise<T>,
): Promise<T> {
  const keys: [string, Limit][] = [[`signin:email:${email}`, limits.signInFailuresPerEmail]];
  if (ip) keys.push([`signin:ip:${ip}`, limits.signInFailuresPerIp]);
  for (const [key, limit] of keys) if (await exhausted(db, key, limit)) throw tooMany();
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof DomainError && error.code === "UNAUTHORIZED") {
      await Promise.all(keys.map(([key, limit]) => hit(db, key, limit)));
    }
    throw error;
  }
}
