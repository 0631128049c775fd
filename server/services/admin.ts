// What admins manage for the support team: categories, canned replies, response-time targets, the
// staff themselves (invite, deactivate), and mail that could not be delivered.
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "../../db/client";
import { newId } from "../../db/ids";
import {
  cannedReplies,
  categories,
  outbox,
  priorities,
  responseTargets,
  roles,
  sessions,
  users,
  type Priority,
  requests,
} from "../../db/schema";
import type { AdminActor, StaffActor } from "../actor";
import { consumeToken, issueToken } from "../auth/email-tokens";
import { hashPassword } from "../auth/password";
import { checkNewPassword } from "../auth/password-rules";
import { DomainError, notFound } from "../errors";
import type { MailMessage } from "../mail/outbox";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";
import { emailField, isUniqueViolation, nameField } from "./accounts";
import { changedFields, recordAudit } from "./audit";
import { type resetPasswordInput } from "./identity";
import { defaultTargets } from "./requests";

const label = z
  .string({ error: "validation.nameRequired" })
  .trim()
  .min(1, { error: "validation.nameRequired" })
  .max(100, { error: "validation.nameTooLong" });

export const categoryInput = z.object({ nameEn: label, nameIs: label });
export const cannedReplyInput = z.object({
  title: label,
  body: z
    .string()
    .trim()
    .min(1, { error: "requests.messageRequired" })
    .max(10_000, { error: "requests.messageTooLong" }),
});
export const targetsInput = z.record(
  z.enum(priorities),
  z
    .number()
    .int()
    .min(5, { error: "admin.targetRange" })
    .max(60 * 24 * 30, { error: "admin.targetRange" }),
);
export const inviteStaffInput = z.object({
  name: nameField,
  email: emailField,
  role: z.enum(["agent", "admin"]),
});
export const idInput = z.object({ id: z.string().min(1).max(64) });

export function listCategories(db: DbOrTx, includeArchived = false) {
  return db
    .select({
      id: categories.id,
      nameEn: categories.nameEn,
      nameIs: categories.nameIs,
      archivedAt: categories.archivedAt,
    })
    .from(categories)
    .where(includeArchived ? undefined : isNull(categories.archivedAt))
    .orderBy(asc(categories.position), asc(categories.nameEn));
}

export async function createCategory(
  db: Db,
  actor: AdminActor,
  input: z.output<typeof categoryInput>,
) {
  return db.transaction(async (tx) => {
    const existing = await listCategories(tx, true);
    const id = newId();
    await tx.insert(categories).values({ id, ...input, position: existing.length });
    await recordAudit(tx, actor, {
      action: "settings.category_created",
      subject: { type: "category", id },
      detail: { name: input.nameEn },
    });
  });
}

export async function setCategoryArchived(
  db: Db,
  actor: AdminActor,
  id: string,
  archived: boolean,
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(categories)
      .set({ archivedAt: archived ? Date.now() : null })
      .where(eq(categories.id, id))
      .returning({ id: categories.id, name: categories.nameEn });
    if (!row) throw notFound();
    await recordAudit(tx, actor, {
      action: archived ? "settings.category_archived" : "settings.category_restored",
      subject: { type: "category", id },
      detail: { name: row.name },
    });
  });
}

export function listCannedReplies(db: Db, _actor: StaffActor) {
  return db
    .select({ id: cannedReplies.id, title: cannedReplies.title, body: cannedReplies.body })
    .from(cannedReplies)
    .orderBy(asc(cannedReplies.title));
}

export async function createCannedReply(
  db: Db,
  actor: AdminActor,
  input: z.output<typeof cannedReplyInput>,
) {
  return db.transaction(async (tx) => {
    const id = newId();
    await tx.insert(cannedReplies).values({ id, ...input, createdAt: Date.now() });
    const subject = { type: "canned_reply", id } as const;
    const detail = { name: input.title };
    await recordAudit(tx, actor, { action: "settings.canned_reply_created", subject, detail });
  });
}

export async function deleteCannedReply(db: Db, actor: AdminActor, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(cannedReplies)
      .where(eq(cannedReplies.id, id))
      .returning({ id: cannedReplies.id, title: cannedReplies.title });
    if (!row) throw notFound();
    const subject = { type: "canned_reply", id } as const;
    const detail = { name: row.title };
    await recordAudit(tx, actor, { action: "settings.canned_reply_deleted", subject, detail });
  });
}

export async function getTargets(db: DbOrTx): Promise<Record<Priority, number>> {
  const rows = await db.select().from(responseTargets);
  return Object.fromEntries(
    priorities.map((p) => [p, rows.find((r) => r.priority === p)?.minutes ?? defaultTargets[p]]),
  ) as Record<Priority, number>;
}

export async function setTargets(db: Db, actor: AdminActor, input: z.output<typeof targetsInput>) {
  await db.transaction(async (tx) => {
    // Read inside the write: the "from" values the log records are the ones this change replaced.
    const changes = changedFields(await getTargets(tx), input);
    if (Object.keys(changes).length > 0)
      await recordAudit(tx, actor, { action: "settings.targets_changed", detail: { changes } });
    for (const [priority, minutes] of Object.entries(input) as [Priority, number][]) {
      await tx
        .insert(responseTargets)
        .values({ priority, minutes })
        .onConflictDoUpdate({ target: responseTargets.priority, set: { minutes } });
    }
  });
}

export function listStaffMembers(db: Db, _actor: AdminActor) {
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      deactivatedAt: users.deactivatedAt,
      invited: isNull(users.emailVerifiedAt),
      createdAt: users.createdAt,
    })
    .from(users)
    .where(inArray(users.role, ["agent", "admin"]))
    .orderBy(asc(users.name));
}

/** Adds a staff member who cannot sign in until they follow the mailed link and choose a password. */
export async function inviteStaff(
  db: Db,
  actor: AdminActor,
  input: z.output<typeof inviteStaffInput>,
  publicUrl: URL,
) {
  try {
    await db.transaction(async (tx) => {
      const [taken] = await tx
        .select({ id: users.id })
        .from(users)
        .where(eq(users.email, input.email));
      if (taken) throw new DomainError("CONFLICT", "auth.emailTaken", "email");
      const id = newId();
      // "!" is no argon2 hash, so no password matches it until the invitation sets one.
      await tx.insert(users).values({
        id,
        accountId: null,
        email: input.email,
        name: input.name,
        passwordHash: "!",
        role: input.role,
        locale: null,
        createdAt: Date.now(),
      });
      const [inviter] = await tx
        .select({ name: users.name })
        .from(users)
        .where(eq(users.id, actor.userId));
      const detail = { email: input.email, role: input.role };
      await recordAudit(tx, actor, {
        action: "staff.invited",
        subject: { type: "user", id },
        detail,
      });
      const token = await issueToken(tx, id, "staff-invite", input.email);
      const url = new URL(`/staff-invite?token=${token}`, publicUrl).href;
      await enqueueMail(
        tx,
        renderMail("staffInvite", "en", input.email, {
          name: input.name,
          url,
          inviter: inviter?.name ?? "",
        }),
      );
    });
  } catch (error) {
    // Two admins inviting the same address at once: the second meets the unique email.
    if (isUniqueViolation(error, "users.email"))
      throw new DomainError("CONFLICT", "auth.emailTaken", "email");
    throw error;
  }
}

/** The invited person chooses their password; the link works once. */
export async function acceptStaffInvite(
  db: Db,
  input: z.output<typeof resetPasswordInput>,
  ip: string | null = null,
) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const used = await consumeToken(tx, input.token, "staff-invite");
    if (!used) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
    // Thrown inside the transaction, so the invitation stays unused.
    checkNewPassword(input.password, used.email, "password");
    const [user] = await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: Date.now() })
      .where(
        and(eq(users.id, used.userId), eq(users.email, used.email), isNull(users.deactivatedAt)),
      )
      .returning({ email: users.email });
    if (!user) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
    const subject = { type: "user", id: used.userId } as const;
    await recordAudit(tx, { userId: used.userId, ip }, { action: "staff.joined", subject });
    return user;
  });
}

/** Deactivated staff are signed out at once and cannot sign in again until reactivated. */
export async function setStaffActive(db: Db, actor: AdminActor, id: string, active: boolean) {
  if (id === actor.userId) throw new DomainError("BAD_REQUEST", "admin.notYourself");
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ deactivatedAt: active ? null : Date.now() })
      .where(and(eq(users.id, id), inArray(users.role, ["agent", "admin"])))
      .returning({ id: users.id, email: users.email });
    if (!row) throw notFound();
    await recordAudit(tx, actor, {
      action: active ? "staff.reactivated" : "staff.deactivated",
      subject: { type: "user", id },
      detail: { email: row.email },
    });
    if (!active) {
      await tx.delete(sessions).where(eq(sessions.userId, id));
      // Their open requests go back to the queue, so no customer waits on someone who left.
      await tx
        .update(requests)
        .set({ assigneeId: null })
        .where(and(eq(requests.assigneeId, id), inArray(requests.status, ["open", "pending"])));
    }
  });
}

/**
 * Makes a staff member an agent or an admin. Their sessions end, so the new role starts with a new
 * session (and a new admin meets the two-factor requirement at once).
 */
export async function setStaffRole(db: Db, actor: AdminActor, id: string, role: "agent" | "admin") {
  if (id === actor.userId) throw new DomainError("BAD_REQUEST", "admin.notYourRole");
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ role })
      .where(and(eq(users.id, id), inArray(users.role, ["agent", "admin"])))
      .returning({ id: users.id, email: users.email });
    if (!row) throw notFound();
    // A new role starts with a new session: whatever the old one was trusted with ends here.
    await tx.delete(sessions).where(eq(sessions.userId, id));
    await recordAudit(tx, actor, {
      action: "staff.role_changed",
      subject: { type: "user", id },
      detail: { email: row.email, to: role },
    });
  });
}

export async function setNotifyNewRequests(db: Db, actor: StaffActor, on: boolean) {
  await db.update(users).set({ notifyNewRequests: on }).where(eq(users.id, actor.userId));
}

/** Mail that could not be delivered after every retry, newest first. */
export async function failedMail(db: Db, _actor: AdminActor) {
  const rows = await db
    .select({
      id: outbox.id,
      payload: outbox.payload,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
    })
    .from(outbox)
    .where(eq(outbox.status, "failed"))
    .orderBy(desc(outbox.createdAt))
    .limit(50);
  return rows.map(({ payload, ...r }) => ({
    ...r,
    to: (payload as MailMessage).to,
    subject: (payload as MailMessage).subject,
  }));
}

/** Sends a failed mail again from the start. */
export async function retryMail(db: Db, actor: AdminActor, id: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(outbox)
      .set({ status: "pending", attempts: 0, nextAttemptAt: Date.now(), lastError: null })
      .where(and(eq(outbox.id, id), eq(outbox.status, "failed")))
      .returning({ id: outbox.id, payload: outbox.payload });
    if (!row) throw notFound();
    const detail = { email: (row.payload as MailMessage).to };
    await recordAudit(tx, actor, { action: "mail.resent", subject: { type: "mail", id }, detail });
  });
}

export const staffRoles = roles.filter((r) => r !== "customer");
