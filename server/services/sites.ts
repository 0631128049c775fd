// Admins manage the sites that embed the widget: origins, anonymous feedback, look, and key rotation.
import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { sites } from "../../db/schema";
import { VersionedCache } from "../../db/versioned-cache";
import type { AdminActor } from "../actor";
import { notFound } from "../errors";
import { changedFields, recordAudit } from "./audit";

const origin = z
  .string()
  .trim()
  // Hosts are at most 253 characters; with scheme and port an origin stays well under 300.
  .max(300, { message: "sites.originInvalid" })
  .refine(
    (v) =>
      URL.canParse(v) &&
      /^https?:$/.test(new URL(v).protocol) &&
      new URL(v).origin === v.replace(/\/$/, ""),
    { message: "sites.originInvalid" },
  )
  .transform((v) => new URL(v).origin);

export const siteInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: "validation.nameRequired" })
    .max(100, { error: "validation.nameTooLong" }),
  allowedOrigins: z.array(origin).min(1, { error: "sites.originsRequired" }).max(20),
  allowAnonymous: z.boolean().default(true),
  color: z
    .string()
    .max(7, { message: "sites.colorInvalid" })
    .regex(/^#[0-9a-f]{6}$/i, { message: "sites.colorInvalid" })
    .default("#0f5b66"),
  position: z.enum(["right", "left"]).default("right"),
});
export const updateSiteInput = siteInput.extend({ id: z.string().min(1).max(64) });

const key = () => `ts_${randomBytes(12).toString("base64url")}`;
const secret = () => randomBytes(32).toString("hex");

export function listSites(db: Db, _actor: AdminActor) {
  return db.select().from(sites).orderBy(asc(sites.name));
}

export async function createSite(db: Db, actor: AdminActor, input: z.output<typeof siteInput>) {
  return db.transaction(async (tx) => {
    const id = newId();
    await tx
      .insert(sites)
      .values({ id, ...input, publicKey: key(), identitySecret: secret(), createdAt: Date.now() });
    const subject = { type: "site", id } as const;
    await recordAudit(tx, actor, { action: "site.created", subject, detail: { name: input.name } });
    return id;
  });
}

export async function updateSite(
  db: Db,
  actor: AdminActor,
  { id, ...input }: z.output<typeof updateSiteInput>,
) {
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(sites).where(eq(sites.id, id));
    if (!before) throw notFound();
    await tx.update(sites).set(input).where(eq(sites.id, id));
    const detail = { name: input.name, changes: changedFields(before, input) };
    await recordAudit(tx, actor, { action: "site.updated", subject: { type: "site", id }, detail });
  });
}

/** New public key and identity secret: old snippets and old signed identities stop working at once. */
export async function rotateSiteKeys(db: Db, actor: AdminActor, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(sites)
      .set({ publicKey: key(), identitySecret: secret() })
      .where(eq(sites.id, id))
      .returning({ id: sites.id, name: sites.name });
    if (!row) throw notFound();
    const subject = { type: "site", id } as const;
    await recordAudit(tx, actor, {
      action: "site.secret_rotated",
      subject,
      detail: { name: row.name },
    });
  });
}

/**
 * Every origin some site allows: the widget door answers CORS preflights for these alone. Kept per
 * process while no site changes (db/versioned-cache.ts): a change made through another process shows
 * within 250 ms, so there a newly added origin may be turned away, and a removed one still answered
 * (its site's calls too, whose rows are kept the same way), for that long.
 */
export function allAllowedOrigins(db: Db): Promise<Set<string>> {
  return VersionedCache.of<Set<string>>(db, "sites", "allowed origins").read("all", async () => {
    const rows = await db.select({ origins: sites.allowedOrigins }).from(sites);
    return new Set(rows.flatMap((r) => r.origins));
  });
}

/** Site names for filters, for any staff member (keys and secrets stay with admins). */
export function listSiteNames(db: Db) {
  return db.select({ id: sites.id, name: sites.name }).from(sites).orderBy(asc(sites.name));
}
