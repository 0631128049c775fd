// A customer's control over their identity and data: verifying the email, resetting and changing the
// password, changing the email, communication preferences, downloading everything, and deleting it all.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import {
  accounts,
  contacts,
  orderItems,
  orders,
  sessions,
  users,
  type Locale,
} from "../../db/schema";
import type { Actor } from "../actor";
import { consumeToken, issueToken, peekToken, revokeTokens } from "../auth/email-tokens";
import { hashPassword, PASSWORD_MAX_LENGTH, verifyPassword } from "../auth/password";
import { checkNewPassword, newPasswordField } from "../auth/password-rules";
import { DomainError, notFound } from "../errors";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";
import { recordAudit } from "./audit";
import { emailField, sendVerification, syncMembership } from "./accounts";
import { itemColumns } from "./orders";

const newPassword = newPasswordField;
const currentPassword = z
  .string({ error: "validation.passwordRequired" })
  .min(1, { error: "validation.passwordRequired" })
  .max(PASSWORD_MAX_LENGTH, { error: "auth.wrongPassword" });
const token = z.string().min(10).max(100);

export const tokenInput = z.object({ token });
export const linkInput = z.object({ token, purpose: z.enum(["verify-email", "change-email"]) });
export const requestResetInput = z.object({ email: emailField });
export const resetPasswordInput = z.object({ token, password: newPassword });
export const changePasswordInput = z.object({ currentPassword, newPassword });
export const changeEmailInput = z.object({ password: currentPassword, email: emailField });
export const preferencesInput = z.object({ newsletter: z.boolean(), surveys: z.boolean() });
export const deleteAccountInput = z.object({ password: currentPassword });

/**
 * Marks the address verified and attaches the user to the account that lists it as a contact. Only the
 * user who asked for the link may use it: someone else who owns the inbox (and clicks a link they did not
 * ask for) can never confirm another person's sign-up into their company's account.
 */
export async function verifyEmail(db: Db, actor: Actor, value: string): Promise<void> {
  await db.transaction(async (tx) => {
    const used = await consumeToken(tx, value, "verify-email", actor.userId);
    if (!used) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
    const updated = await tx
      .update(users)
      .set({ emailVerifiedAt: Date.now() })
      .where(and(eq(users.id, used.userId), eq(users.email, used.email)))
      .returning({ id: users.id });
    // The address changed after the link was sent: the link proves nothing any more.
    if (updated.length === 0) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
    await syncMembership(tx, used.userId);
  });
}

/** The address a link of the caller's would confirm, without using the link. */
export async function linkTarget(
  db: Db,
  actor: Actor,
  value: string,
  purpose: "verify-email" | "change-email",
) {
  const email = await peekToken(db, value, purpose, actor.userId);
  if (!email) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
  return { email };
}

export async function resendVerification(db: Db, actor: Actor, publicUrl: URL): Promise<void> {
  const user = await loadUser(db, actor);
  if (user.emailVerifiedAt !== null) return;
  await db.transaction((tx) =>
    sendVerification(tx, { ...user, locale: user.locale ?? "en" }, publicUrl),
  );
}

/** Mails a reset link if the address has an account; says the same either way (no enumeration). */
export async function requestPasswordReset(
  db: Db,
  email: string,
  locale: Locale,
  publicUrl: URL,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, name: users.name, locale: users.locale })
      .from(users)
      .where(eq(users.email, email));
    if (!user) return;
    const value = await issueToken(tx, user.id, "reset-password", email);
    const url = new URL(`/reset-password?token=${value}`, publicUrl).href;
    await enqueueMail(
      tx,
      renderMail("reset", user.locale ?? locale, email, { name: user.name, url }),
    );
  });
}

/**
 * Sets a new password from a mailed link. Every session of the user ends and every other link they were
 * sent stops working, so whoever had the account before the owner of the address took it back is out.
 */
export async function resetPassword(
  db: Db,
  input: z.output<typeof resetPasswordInput>,
  ip: string | null = null,
): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await db.transaction(async (tx) => {
    const used = await consumeToken(tx, input.token, "reset-password");
    if (!used) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
    // Thrown inside the transaction, so the link stays unused.
    checkNewPassword(input.password, used.email, "password");
    // The link reached this address, so it is verified too.
    const updated = await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: Date.now() })
      .where(and(eq(users.id, used.userId), eq(users.email, used.email)))
      .returning({ id: users.id });
    if (updated.length === 0) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
    await revokeTokens(tx, used.userId);
    await tx.delete(sessions).where(eq(sessions.userId, used.userId));
    await syncMembership(tx, used.userId);
    // Following the mailed link proves the address, so the user is the actor.
    const subject = { type: "user", id: used.userId } as const;
    await recordAudit(tx, { userId: used.userId, ip }, { action: "auth.password_reset", subject });
  });
}

/**
 * Changes the password after checking the current one. Every session of the user ends, this one too:
 * the router starts a fresh one for the browser that asked, so nothing issued before the change lives on.
 */
export async function changePassword(
  db: Db,
  actor: Actor,
  input: z.output<typeof changePasswordInput>,
) {
  const user = await checkPassword(db, actor, input.currentPassword, "currentPassword");
  checkNewPassword(input.newPassword, user.email, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, actor.userId));
    await tx.delete(sessions).where(eq(sessions.userId, actor.userId));
    await recordAudit(tx, actor, { action: "auth.password_changed", subject: self(actor) });
  });
}

/** Mails a confirmation link to the new address; the email changes only when it is followed. */
export async function requestEmailChange(
  db: Db,
  actor: Actor,
  input: z.output<typeof changeEmailInput>,
  publicUrl: URL,
) {
  const user = await checkPassword(db, actor, input.password, "password");
  if (input.email === user.email)
    throw new DomainError("BAD_REQUEST", "identity.sameEmail", "email");
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email));
  if (taken) throw new DomainError("CONFLICT", "auth.emailTaken", "email");
  await db.transaction(async (tx) => {
    const value = await issueToken(tx, actor.userId, "change-email", input.email);
    const url = new URL(`/verify-email?change=1&token=${value}`, publicUrl).href;
    await enqueueMail(
      tx,
      renderMail("changeEmail", user.locale ?? "en", input.email, { name: user.name, url }),
    );
  });
}

/**
 * Moves the caller to the address the link was sent to, tells the old address, and ends every session
 * of the caller (the router starts a fresh one for this browser).
 */
export async function confirmEmailChange(
  db: Db,
  actor: Actor,
  value: string,
  publicUrl: URL,
): Promise<void> {
  await db.transaction(async (tx) => {
    const used = await consumeToken(tx, value, "change-email", actor.userId);
    if (!used) throw new DomainError("BAD_REQUEST", "identity.linkInvalid");
    const [taken] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, used.email));
    if (taken) throw new DomainError("CONFLICT", "auth.emailTaken");
    const [before] = await tx
      .select({ email: users.email, name: users.name, locale: users.locale })
      .from(users)
      .where(eq(users.id, actor.userId));
    if (!before) throw notFound();
    await tx
      .update(users)
      .set({ email: used.email, emailVerifiedAt: Date.now() })
      .where(eq(users.id, actor.userId));
    await tx.delete(sessions).where(eq(sessions.userId, actor.userId));
    await enqueueMail(
      tx,
      renderMail("emailChanged", before.locale ?? "en", before.email, {
        name: before.name,
        email: used.email,
        url: new URL("/forgot-password", publicUrl).href,
      }),
    );
    await syncMembership(tx, actor.userId);
    await recordAudit(tx, actor, {
      action: "auth.email_changed",
      subject: self(actor),
      detail: { email: { from: before.email, to: used.email } },
    });
  });
}

/** Consent is kept with the time it was given; withdrawing clears it. */
export async function setPreferences(
  db: Db,
  actor: Actor,
  input: z.output<typeof preferencesInput>,
) {
  const user = await loadUser(db, actor);
  const now = Date.now();
  await db
    .update(users)
    .set({
      newsletterConsentAt: input.newsletter ? (user.newsletterConsentAt ?? now) : null,
      surveyConsentAt: input.surveys ? (user.surveyConsentAt ?? now) : null,
    })
    .where(eq(users.id, actor.userId));
}

/** Everything Tengsl holds about the user, as one JSON-ready object. */
export async function exportData(db: Db, actor: Actor) {
  const user = await loadUser(db, actor);
  const account = user.accountId
    ? (
        await db
          .select({ kind: accounts.kind, name: accounts.name, createdAt: accounts.createdAt })
          .from(accounts)
          .where(eq(accounts.id, user.accountId))
      )[0]
    : undefined;
  // A person account's orders are theirs; of a business account's, those they placed.
  const orderScope =
    account?.kind === "person" && user.accountId
      ? eq(orders.accountId, user.accountId)
      : eq(orders.placedByEmail, user.email);
  const orderRows = user.accountId
    ? await db
        .select()
        .from(orders)
        .where(and(eq(orders.accountId, user.accountId), orderScope))
    : [];
  const items = await Promise.all(
    orderRows.map((o) =>
      db.select(itemColumns).from(orderItems).where(eq(orderItems.orderId, o.id)),
    ),
  );
  const sessionRows = await db
    .select({ createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(eq(sessions.userId, actor.userId));
  await recordAudit(db, actor, { action: "account.exported", subject: self(actor) });
  return {
    exportedAt: new Date().toISOString(),
    profile: {
      name: user.name,
      email: user.email,
      emailVerifiedAt: iso(user.emailVerifiedAt),
      role: user.role,
      locale: user.locale,
      createdAt: iso(user.createdAt),
      consents: { newsletter: iso(user.newsletterConsentAt), surveys: iso(user.surveyConsentAt) },
    },
    account: account ? { ...account, createdAt: iso(account.createdAt) } : null,
    orders: orderRows.map((o, i) => ({
      number: o.number,
      status: o.status,
      placedAt: iso(o.placedAt),
      currency: o.currency,
      total: o.total,
      shippingAddress: o.shippingAddress,
      billingAddress: o.billingAddress,
      items: items[i],
    })),
    sessions: sessionRows.map((s) => ({
      createdAt: iso(s.createdAt),
      expiresAt: iso(s.expiresAt),
    })),
  };
}

/**
 * Erases the user: the sign-in, sessions, tokens and contact entry go; their name and email are removed
 * from orders they placed; a person account is anonymised, and its orders stay for the company.
 */
export async function deleteAccount(
  db: Db,
  actor: Actor,
  input: z.output<typeof deleteAccountInput>,
): Promise<void> {
  const user = await checkPassword(db, actor, input.password, "password");
  if (user.role !== "customer") throw new DomainError("FORBIDDEN", "error.forbidden");
  await db.transaction(async (tx) => {
    await recordAudit(tx, actor, { action: "account.deleted", subject: self(actor) });
    await tx
      .update(orders)
      .set({ placedByEmail: null, placedByName: null })
      .where(eq(orders.placedByEmail, user.email));
    await tx.delete(contacts).where(eq(contacts.email, user.email));
    await tx.delete(users).where(eq(users.id, actor.userId));
    if (user.accountId) {
      const [account] = await tx
        .select({ kind: accounts.kind })
        .from(accounts)
        .where(eq(accounts.id, user.accountId));
      if (account?.kind === "person") {
        await tx
          .update(orders)
          .set({ shippingAddress: null, billingAddress: null })
          .where(eq(orders.accountId, user.accountId));
        await tx
          .update(accounts)
          .set({ name: "—", updatedAt: Date.now() })
          .where(eq(accounts.id, user.accountId));
      }
    }
  });
}

async function loadUser(db: Db, actor: Actor) {
  const [user] = await db.select().from(users).where(eq(users.id, actor.userId));
  if (!user) throw notFound();
  return user;
}

/** The caller's user row when `password` is theirs; a field error on `field` otherwise. */
export async function checkPassword(db: Db, actor: Actor, password: string, field: string) {
  const user = await loadUser(db, actor);
  if (!(await verifyPassword(user.passwordHash, password)))
    throw new DomainError("BAD_REQUEST", "auth.wrongPassword", field);
  return user;
}

const self = (actor: Actor) => ({ type: "user", id: actor.userId }) as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
