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

/** Uses a token up: its user and address if it is valid, unused and unexpired, otherwise null. */
export async function consumeToken(tx: DbOrTx, token: string, purpose: TokenPurpose) {
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
      ),
    )
    .returning({ userId: emailTokens.userId, email: emailTokens.email });
  return row ?? null;
}

/** Whether a token would be accepted, without using it (for showing the reset form). */
export async function peekToken(
  tx: DbOrTx,
  token: string,
  purpose: TokenPurpose,
): Promise<boolean> {
  const [row] = await tx
    .select({ id: emailTokens.id })
    .from(emailTokens)
    .where(
      and(
        eq(emailTokens.tokenHash, sha256(token)),
        eq(emailTokens.purpose, purpose),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, Date.now()),
      ),
    );
  return row !== undefined;
}
