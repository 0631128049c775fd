// Two-factor sign-in for staff (RFC 6238 TOTP; docs/decisions/017): enrolment with recovery codes, the
// second step of sign-in, and switching it off (agents only: admins must keep it).
import { randomBytes } from "node:crypto";
import { and, count, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "../../db/client";
import { newId } from "../../db/ids";
import { rateLimits, recoveryCodes, twoFactorChallenges, users, type Role } from "../../db/schema";
import type { StaffActor } from "../actor";
import { PASSWORD_MAX_LENGTH } from "../auth/password";
import { sessionKey } from "../auth/session-adapter";
import {
  CHALLENGE_TTL_MS,
  hashRecoveryCode,
  isTotpCode,
  matchTotp,
  newRecoveryCode,
  newTotpKey,
  RECOVERY_CODE_COUNT,
  TOTP_STEP_MS,
  totpUri,
} from "../auth/totp";
import { DomainError, notFound } from "../errors";
import { recordAudit } from "./audit";
import { exhausted, hit, type Limit } from "./rate-limit";
import { checkPassword } from "./identity";

/** How many codes the second step of a sign-in may try. */
export const CHALLENGE_MAX_ATTEMPTS = 5;
/** Wrong codes per user across all their challenges, so new challenges give no fresh guesses. */
const wrongCodesPerUser: Limit = { max: 10, windowMs: 15 * 60 * 1000 };

const code = z
  .string({ error: "twoFactor.codeRequired" })
  .trim()
  .min(1, { error: "twoFactor.codeRequired" })
  .max(32, { error: "twoFactor.wrongCode" });
export const codeInput = z.object({ code });
export const disableTwoFactorInput = z.object({
  password: z
    .string({ error: "validation.passwordRequired" })
    .min(1, { error: "validation.passwordRequired" })
    .max(PASSWORD_MAX_LENGTH, { error: "auth.wrongPassword" }),
  code,
});

const wrongCode = () => new DomainError("BAD_REQUEST", "twoFactor.wrongCode", "code");

async function userRow(db: DbOrTx, userId: string) {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      totpSecret: users.totpSecret,
      totpEnabledAt: users.totpEnabledAt,
      deactivatedAt: users.deactivatedAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) throw notFound();
  return row;
}

/**
 * Whether a TOTP code is right for the key, and unused. A code is accepted once: its time step is
 * claimed under a rate_limits key (insert-or-nothing, so two requests racing with one code cannot both
 * win), and housekeeping removes the claim a day later, long after the step stopped being accepted.
 */
async function useTotp(db: Db, userId: string, key: string, otp: string, now: number) {
  const step = matchTotp(key, otp, now);
  if (step === null) return "wrong" as const;
  const claimed = await db
    .insert(rateLimits)
    .values({ key: `totp-used:${userId}:${step}`, windowStart: step * TOTP_STEP_MS, count: 1 })
    .onConflictDoNothing()
    .returning({ key: rateLimits.key });
  return claimed.length === 1 ? ("ok" as const) : ("used" as const);
}

/** Checks a current code of an enrolled user, throwing the error a form shows beside the field. */
async function requireTotp(db: Db, userId: string, key: string, otp: string, now: number) {
  const result = await useTotp(db, userId, key, otp, now);
  if (result === "used") throw new DomainError("BAD_REQUEST", "twoFactor.codeUsed", "code");
  if (result === "wrong") throw wrongCode();
}

/** Replaces the user's recovery codes with new ones, returned once in plain text and stored hashed. */
async function replaceRecoveryCodes(tx: DbOrTx, userId: string, now: number) {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx
    .insert(recoveryCodes)
    .values(
      codes.map((c) => ({ id: newId(), userId, codeHash: hashRecoveryCode(c), createdAt: now })),
    );
  return codes;
}

export async function twoFactorStatus(db: Db, actor: StaffActor) {
  const user = await userRow(db, actor.userId);
  const [left] = await db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, actor.userId), isNull(recoveryCodes.usedAt)));
  return {
    enabled: user.totpEnabledAt !== null,
    enabledAt: user.totpEnabledAt,
    required: actor.role === "admin",
    canDisable: actor.role !== "admin",
    recoveryCodesLeft: left?.n ?? 0,
  };
}

/**
 * The key to scan, kept until confirmed: reloading the enrolment page shows the same key, so a code
 * from an app that already scanned it still works.
 */
export async function beginEnrolment(db: Db, actor: StaffActor) {
  const user = await userRow(db, actor.userId);
  if (user.totpEnabledAt !== null) throw new DomainError("CONFLICT", "twoFactor.alreadyEnabled");
  let key = user.totpSecret;
  if (!key) {
    // Only where no key is set yet: two page loads at once keep one key, the one both show after.
    await db
      .update(users)
      .set({ totpSecret: newTotpKey() })
      .where(and(eq(users.id, actor.userId), isNull(users.totpSecret)));
    key = (await userRow(db, actor.userId)).totpSecret!;
  }
  return { key, uri: totpUri(user.email, key) };
}

/** A right code from the app turns two-factor sign-in on and gives the recovery codes, shown once. */
export async function confirmEnrolment(
  db: Db,
  actor: StaffActor,
  otp: string,
  now = Date.now(),
): Promise<string[]> {
  const user = await userRow(db, actor.userId);
  if (user.totpEnabledAt !== null) throw new DomainError("CONFLICT", "twoFactor.alreadyEnabled");
  if (!user.totpSecret) throw new DomainError("BAD_REQUEST", "twoFactor.notStarted");
  await requireTotp(db, actor.userId, user.totpSecret, otp, now);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ totpEnabledAt: now })
      .where(and(eq(users.id, actor.userId), isNull(users.totpEnabledAt)))
      .returning({ id: users.id });
    if (!row) throw new DomainError("CONFLICT", "twoFactor.alreadyEnabled");
    await recordAudit(tx, actor, { action: "auth.two_factor_enabled", subject: self(actor) });
    return replaceRecoveryCodes(tx, actor.userId, now);
  });
}

/** New recovery codes (the old ones stop working), for a current code from the app. */
export async function regenerateRecoveryCodes(
  db: Db,
  actor: StaffActor,
  otp: string,
  now = Date.now(),
): Promise<string[]> {
  const user = await userRow(db, actor.userId);
  if (user.totpEnabledAt === null || !user.totpSecret)
    throw new DomainError("BAD_REQUEST", "twoFactor.notEnabled");
  await requireTotp(db, actor.userId, user.totpSecret, otp, now);
  return db.transaction(async (tx) => {
    await recordAudit(tx, actor, {
      action: "auth.recovery_codes_regenerated",
      subject: self(actor),
    });
    return replaceRecoveryCodes(tx, actor.userId, now);
  });
}

/** Agents may switch two-factor sign-in off with their password and a current code; admins may not. */
export async function disableTwoFactor(
  db: Db,
  actor: StaffActor,
  input: z.output<typeof disableTwoFactorInput>,
  now = Date.now(),
) {
  if (actor.role === "admin") throw new DomainError("FORBIDDEN", "twoFactor.adminsMustKeep");
  const user = await userRow(db, actor.userId);
  if (user.totpEnabledAt === null || !user.totpSecret)
    throw new DomainError("BAD_REQUEST", "twoFactor.notEnabled");
  await checkPassword(db, actor, input.password, "password");
  await requireTotp(db, actor.userId, user.totpSecret, input.code, now);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ totpSecret: null, totpEnabledAt: null })
      .where(eq(users.id, actor.userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, actor.userId));
    await recordAudit(tx, actor, { action: "auth.two_factor_disabled", subject: self(actor) });
  });
}

const self = (actor: StaffActor) => ({ type: "user" as const, id: actor.userId });

/**
 * After a right password: for a user with two-factor sign-in, the id of a new challenge (for a
 * short-lived cookie; stored hashed like session ids), or null when no second step is owed.
 */
export async function startSignInChallenge(
  db: Db,
  userId: string,
  now = Date.now(),
): Promise<string | null> {
  const user = await userRow(db, userId);
  if (user.totpEnabledAt === null || !user.totpSecret) return null;
  const id = randomBytes(24).toString("base64url");
  await db.insert(twoFactorChallenges).values({
    id: sessionKey(id),
    userId,
    attempts: 0,
    expiresAt: now + CHALLENGE_TTL_MS,
    createdAt: now,
  });
  return id;
}

/**
 * The second step: a TOTP code (one step of clock drift either way, never one already used) or an
 * unused recovery code. Every try counts, claimed before the code is checked so that parallel guesses
 * cannot exceed the limit; the fifth wrong one ends the challenge. Only a right code ends it well.
 */
export async function completeSignInChallenge(
  db: Db,
  challengeId: string,
  otp: string,
  now = Date.now(),
  ip: string | null = null,
): Promise<{ userId: string; role: Role }> {
  const [challenge] = await db
    .update(twoFactorChallenges)
    .set({ attempts: sql`${twoFactorChallenges.attempts} + 1` })
    .where(
      and(
        eq(twoFactorChallenges.id, sessionKey(challengeId)),
        lt(twoFactorChallenges.attempts, CHALLENGE_MAX_ATTEMPTS),
        gt(twoFactorChallenges.expiresAt, now),
      ),
    )
    .returning({ userId: twoFactorChallenges.userId, attempts: twoFactorChallenges.attempts });
  if (!challenge) throw new DomainError("UNAUTHORIZED", "twoFactor.challengeExpired");
  const end = () =>
    db.delete(twoFactorChallenges).where(eq(twoFactorChallenges.id, sessionKey(challengeId)));

  const user = await userRow(db, challenge.userId);
  if (user.deactivatedAt !== null || user.totpEnabledAt === null || !user.totpSecret) {
    await end();
    throw new DomainError("UNAUTHORIZED", "twoFactor.challengeExpired");
  }
  const failKey = `2fa-wrong:${user.id}`;
  if (await exhausted(db, failKey, wrongCodesPerUser, now))
    throw new DomainError("TOO_MANY_REQUESTS", "error.tooManyRequests");

  const result = isTotpCode(otp)
    ? await useTotp(db, user.id, user.totpSecret, otp, now)
    : await useRecoveryCode(db, user.id, otp, now);
  if (result === "ok") {
    await end();
    return { userId: user.id, role: user.role };
  }
  if (result === "wrong") await hit(db, failKey, wrongCodesPerUser, now);
  // A right password with wrong codes is what a stolen password looks like: admins should see it.
  await recordAudit(
    db,
    { userId: user.id, role: user.role, email: user.email, ip },
    {
      action: "auth.sign_in_failed",
      subject: { type: "user", id: user.id },
      detail: { step: "second_factor", reason: result },
    },
  );
  if (challenge.attempts >= CHALLENGE_MAX_ATTEMPTS) {
    await end();
    throw new DomainError("UNAUTHORIZED", "twoFactor.tooManyAttempts");
  }
  if (result === "used") throw new DomainError("BAD_REQUEST", "twoFactor.codeUsed", "code");
  throw wrongCode();
}

async function useRecoveryCode(db: Db, userId: string, otp: string, now: number) {
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, hashRecoveryCode(otp)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  return used.length === 1 ? ("ok" as const) : ("wrong" as const);
}
