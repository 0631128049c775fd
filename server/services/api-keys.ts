// API keys for the ingest API: made by an admin, shown once, stored only as a hash, revocable.
import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { apiKeys } from "../../db/schema";
import { VersionedCache } from "../../db/versioned-cache";
import type { AdminActor } from "../actor";
import { sha256 } from "../auth/email-tokens";
import { notFound } from "../errors";
import { recordAudit } from "./audit";
import { param, prepareRows } from "../../db/prepared";

export const createApiKeyInput = z.object({
  name: z
    .string({ error: "validation.keyNameRequired" })
    .trim()
    .min(1, { error: "validation.keyNameRequired" })
    .max(100, { error: "validation.nameTooLong" }),
});
export const apiKeyIdInput = z.object({ id: z.string().min(1).max(64) });

const KEY_PREFIX = "tsk_";
/** last_used_at is written at most this often per key, so busy keys do not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function createApiKey(db: Db, actor: AdminActor, name: string) {
  return db.transaction(async (tx) => {
    const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
    const id = newId();
    await tx.insert(apiKeys).values({
      id,
      name,
      prefix: key.slice(0, 12),
      keyHash: sha256(key),
      createdBy: actor.userId,
      createdAt: Date.now(),
    });
    const subject = { type: "api_key", id } as const;
    await recordAudit(tx, actor, { action: "api_key.created", subject, detail: { name } });
    return { id, key };
  });
}

export async function listApiKeys(db: Db, _actor: AdminActor) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(desc(apiKeys.createdAt));
}

export async function revokeApiKey(db: Db, actor: AdminActor, id: string): Promise<void> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: Date.now() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name });
    if (!row) throw notFound();
    const subject = { type: "api_key", id } as const;
    await recordAudit(tx, actor, {
      action: "api_key.revoked",
      subject,
      detail: { name: row.name },
    });
  });
}

/** A key in force, by the hash of its secret (every ingest request asks: built once). */
const liveKey = prepareRows((on) =>
  on
    .select({ id: apiKeys.id, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, param("keyHash")), isNull(apiKeys.revokedAt))),
);

/** The key's id if the key is known and not revoked; notes when it was last used. */
export async function authenticateApiKey(db: Db, key: string): Promise<string | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
  const now = Date.now();
  const keyHash = sha256(key);
  // Kept per process while no key changes (db/versioned-cache.ts).
  const row = await VersionedCache.of<{ id: string; lastUsedAt: number | null } | null>(
    db,
    "api keys",
    "live key by hash",
  ).read(keyHash, async () => (await liveKey.all(db, { keyHash }))[0] ?? null);
  if (!row) return null;
  // Most requests of a busy key need no write at all (a write waits for its commit, fsync included).
  if (row.lastUsedAt !== null && row.lastUsedAt >= now - LAST_USED_RESOLUTION_MS) return row.id;
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, row.id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - LAST_USED_RESOLUTION_MS)),
      ),
    );
  return row.id;
}
