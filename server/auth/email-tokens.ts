// Single-use tokens for mailed links (verify an email, reset a password, confirm a new email). Only a
// hash is stored, so a copy of the database opens no one's account.
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { newId } from "../../db/ids";
import { emailTokens, type TokenPurpose } from "../../db/schema";

export const tokenLifetimes: Record<TokenPurpose, number> = {
  "verify-email": 7 * 24 * 60 * 60_000,
  "reset-password": 60 * 60_000,
  "change-email": 24 * 60 * 60_000,
  "staff-invite": 7 * 24 * 60 * 60_000,
};

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** A new token for the user; earlier unused tokens of the same purpose stop working. */
export async function issueToken(
  tx: DbOrTx,
  userId: string,
  purpose: TokenPurpose,
  email: string,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = Date.now();
  await tx
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.userId, userId),
        eq(emailTokens.purpose, purpose),
        isNull(emailTokens.usedAt),
      ),
    );
  await tx.insert(emailTokens).values({
    id: newId(),
    tokenHash: sha256(token),
    userId,
    purpose,
    email,
    expiresAt: now + tokenLifetimes[purpose],
    createdAt: now,
  });
  return token;
}

/**
 * Uses a token up: its user and address if it is valid, unused, unexpired (and, when `userId` is given,
 * that user's), otherwise null.
 */
export async function consumeToken(
  tx: DbOrTx,
  token: string,
  purpose: TokenPurpose,
  userId?: string,
) {
  const now = Date.now();
  const [row] = await tx
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.tokenHash, sha256(token)),
        eq(emailTokens.purpose, purpose),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, now),
        userId === undefined ? undefined : eq(emailTokens.userId, userId),
      ),
    )
    .returning({ userId: emailTokens.userId, email: emailTokens.email });
  return row ?? null;
}

/** The address a token of this user's would confirm, without using it; null when it would be refused. */
export async function peekToken(
  tx: DbOrTx,
  token: string,
  purpose: TokenPurpose,
  userId: string,
): Promise<string | null> {
  const [row] = await tx
    .select({ email: emailTokens.email })
    .from(emailTokens)
    .where(
      and(
        eq(emailTokens.tokenHash, sha256(token)),
        eq(emailTokens.purpose, purpose),
        eq(emailTokens.userId, userId),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, Date.now()),
      ),
    );
  return row?.email ?? null;
}

/** Every link the user was sent and has not used stops working. */
export async function revokeTokens(tx: DbOrTx, userId: string): Promise<void> {
  await tx
    .update(emailTokens)
    .set({ usedAt: Date.now() })
    .where(and(eq(emailTokens.userId, userId), isNull(emailTokens.usedAt)));
}
