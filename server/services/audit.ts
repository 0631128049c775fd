// The audit log: who did what to what, from where. Services record an entry in the same transaction as
// the change; admins read it, filtered and a page at a time. Nothing edits or deletes it (triggers refuse).
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "../../db/client";
import { newId } from "../../db/ids";
import { auditLog, users, type Role } from "../../db/schema";
import type { AdminActor } from "../actor";
import { DomainError } from "../errors";
import { afterCursor, decodeCursor, encodeCursor } from "./cursor";
import { dateRangeFields, rangeInOrder } from "./date-range";

/** Every action the log knows; each has a label `audit.action.<action>` in both catalogs. */
export const auditActions = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "auth.password_changed",
  "auth.password_reset",
  "auth.email_changed",
  "auth.two_factor_enabled",
  "auth.two_factor_disabled",
  "auth.recovery_codes_regenerated",
  "account.exported",
  "account.deleted",
  "staff.invited",
  "staff.joined",
  "staff.deactivated",
  "staff.reactivated",
  "staff.role_changed",
  "api_key.created",
  "api_key.revoked",
  "site.created",
  "site.updated",
  "site.secret_rotated",
  "widget.site_disabled",
  "widget.site_enabled",
  "widget.blocked",
  "widget.unblocked",
  "request.replied",
  "request.noted",
  "request.updated",
  "feedback.followed_up",
  "feedback.exported",
  "settings.category_created",
  "settings.category_archived",
  "settings.category_restored",
  "settings.canned_reply_created",
  "settings.canned_reply_deleted",
  "settings.targets_changed",
  "mail.resent",
] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditSubjectTypes = [
  "user",
  "account",
  "request",
  "feedback",
  "api_key",
  "site",
  "category",
  "canned_reply",
  "mail",
] as const;
export type AuditSubjectType = (typeof auditSubjectTypes)[number];

/**
 * Who did it. A signed-in actor from the context carries its email and IP; fields left out are looked
 * up from the user (role and email as they are now, i.e. at the time of the action). `userId: null` is
 * someone anonymous, such as a failed sign-in.
 */
export interface AuditWho {
  userId: string | null;
  email?: string | null;
  role?: Role | null;
  accountId?: string | null;
  ip?: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  subject?: { type: AuditSubjectType; id: string };
  /** The account the subject belongs to; defaults to the actor's own. */
  accountId?: string | null;
  /** What changed (from/to, names, numbers): never message bodies, passwords or secrets. */
  detail?: Record<string, unknown>;
}

/** A value in the detail is kept short, so no one can grow the log with a long name or subject. */
const MAX_DETAIL_TEXT = 200;
const shorten = (value: unknown): unknown =>
  typeof value === "string"
    ? value.slice(0, MAX_DETAIL_TEXT)
    : value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]))
      : Array.isArray(value)
        ? value.slice(0, 20).map(shorten)
        : value;

/** Writes one entry; pass the transaction of the change so both commit or neither does. */
export async function recordAudit(db: DbOrTx, who: AuditWho, entry: AuditEntry): Promise<void> {
  let { email = null, role = null, accountId = null } = who;
  const missing = who.email === undefined || who.role === undefined || who.accountId === undefined;
  if (who.userId && missing) {
    const [user] = await db
      .select({ email: users.email, role: users.role, accountId: users.accountId })
      .from(users)
      .where(eq(users.id, who.userId));
    email = who.email ?? user?.email ?? null;
    role = who.role ?? user?.role ?? null;
    accountId = who.accountId === undefined ? (user?.accountId ?? null) : who.accountId;
  }
  await db.insert(auditLog).values({
    id: newId(),
    at: Date.now(),
    action: entry.action,
    actorId: who.userId,
    actorEmail: email,
    actorRole: role,
    ip: who.ip ?? null,
    subjectType: entry.subject?.type ?? null,
    subjectId: entry.subject?.id ?? null,
    accountId: entry.accountId === undefined ? accountId : entry.accountId,
    detail: entry.detail ? (shorten(entry.detail) as Record<string, unknown>) : null,
  });
}

/**
 * Records a failed sign-in (wrong email or password) with the attempted email, never the password, and
 * rethrows. Throttled attempts are not recorded: the throttle bounds how many failures reach the log.
 */
export async function recordFailedSignIn(
  db: Db,
  email: string,
  ip: string | null,
  error: unknown,
): Promise<never> {
  if (error instanceof DomainError && error.code === "UNAUTHORIZED")
    await recordAudit(
      db,
      { userId: null, ip },
      { action: "auth.sign_in_failed", detail: { email } },
    );
  throw error;
}

/** The fields whose values differ, as `{ field: { from, to } }`, for an entry's detail. */
export function changedFields<T extends Record<string, unknown>>(
  before: T,
  after: Partial<T>,
): Record<string, { from: unknown; to: unknown }> {
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, to] of Object.entries(after)) {
    const from = before[key];
    if (to !== undefined && JSON.stringify(from) !== JSON.stringify(to))
      changed[key] = { from, to };
  }
  return changed;
}

export const auditListInput = rangeInOrder(
  z.object({
    action: z.enum(auditActions).optional(),
    /** Part of the actor's email. */
    actor: z.string().trim().max(254, { error: "validation.searchTooLong" }).optional(),
    subjectId: z.string().trim().max(64, { error: "validation.searchTooLong" }).optional(),
    ...dateRangeFields,
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).default(50),
  }),
);
export type AuditListInput = z.output<typeof auditListInput>;

/** Entries newest first, filtered, a page at a time (keyset on time and id). */
export async function listAudit(db: Db, _actor: AdminActor, input: AuditListInput) {
  const where: (SQL | undefined)[] = [];
  if (input.action) where.push(eq(auditLog.action, input.action));
  // instr, not LIKE: a % or _ in the search is an ordinary character.
  if (input.actor)
    where.push(sql`instr(lower(${auditLog.actorEmail}), ${input.actor.toLowerCase()}) > 0`);
  if (input.subjectId) where.push(eq(auditLog.subjectId, input.subjectId));
  if (input.from !== undefined) where.push(gte(auditLog.at, input.from));
  if (input.to !== undefined) where.push(lt(auditLog.at, input.to));
  if (input.cursor) {
    const after = decodeCursor(input.cursor);
    where.push(afterCursor(auditLog.at, auditLog.id, after, "desc"));
  }
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorId: auditLog.actorId,
      actorEmail: auditLog.actorEmail,
      actorRole: auditLog.actorRole,
      ip: auditLog.ip,
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      accountId: auditLog.accountId,
      detail: auditLog.detail,
    })
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit).map((r) => ({
    ...r,
    action: r.action as AuditAction,
    subjectType: r.subjectType as AuditSubjectType | null,
  }));
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > input.limit && last ? encodeCursor({ at: last.at, id: last.id }) : null,
  };
}
