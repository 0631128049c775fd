// Accounts and their people: sign-up, credential checks, profile and language preference, and what a
// customer's home shows about their own account.
import { and, asc, count, eq, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx, Tx } from "../../db/client";
import { newId } from "../../db/ids";
import { param, prepareRows } from "../../db/prepared";
import {
  accounts,
  contacts,
  feedback,
  locales,
  orders,
  requests,
  users,
  type Locale,
  type Role,
} from "../../db/schema";
import type { Actor, CustomerActor } from "../actor";
import {
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyNothing,
  verifyPassword,
} from "../auth/password";
import { isEmailPassword, newPasswordField } from "../auth/password-rules";
import { issueToken } from "../auth/email-tokens";
import { DomainError, notFound } from "../errors";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";

/** Emails compare case-insensitively: stored and looked up lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export const emailField = z
  .string({ error: "validation.emailRequired" })
  .trim()
  .min(1, { error: "validation.emailRequired" })
  .max(254, { error: "validation.emailInvalid" })
  .pipe(z.email({ error: "validation.emailInvalid" }))
  .transform(normalizeEmail);

export const nameField = z
  .string({ error: "validation.nameRequired" })
  .trim()
  .min(1, { error: "validation.nameRequired" })
  .max(100, { error: "validation.nameTooLong" });

export const signUpInput = z
  .object({
    name: nameField,
    email: emailField,
    password: newPasswordField,
    locale: z.enum(locales).optional(),
  })
  .superRefine(({ email, password }, ctx) => {
    // Only a password that passed its own rules gets this message too.
    if (password.length >= PASSWORD_MIN_LENGTH && isEmailPassword(password, email))
      ctx.addIssue({ code: "custom", path: ["password"], message: "validation.passwordIsEmail" });
  });
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({
  email: emailField,
  // No length rules here: a sign-in form must not hint at what the password looks like.
  password: z
    .string({ error: "validation.passwordRequired" })
    .min(1, { error: "validation.passwordRequired" })
    .max(PASSWORD_MAX_LENGTH, { error: "auth.wrongCredentials" }),
});
export type SignInInput = z.infer<typeof signInInput>;

export const setLocaleInput = z.object({ locale: z.enum(locales) });
export const setNameInput = z.object({ name: nameField });

/** Creates a person account and its customer user, and mails a link to verify the address. */
export async function signUp(db: Db, input: SignUpInput, publicUrl: URL): Promise<string> {
  const passwordHash = await hashPassword(input.password);
  const now = Date.now();
  const accountId = newId();
  const userId = newId();
  try {
    await db.transaction(async (tx) => {
      await tx
        .insert(accounts)
        .values({ id: accountId, kind: "person", name: input.name, createdAt: now });
      await tx.insert(users).values({
        id: userId,
        accountId,
        email: input.email,
        name: input.name,
        passwordHash,
        role: "customer",
        locale: input.locale ?? null,
        createdAt: now,
      });
      await sendVerification(
        tx,
        { id: userId, name: input.name, email: input.email, locale: input.locale ?? "en" },
        publicUrl,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error, "users.email")) {
      throw new DomainError("CONFLICT", "auth.emailTaken", "email");
    }
    throw error;
  }
  return userId;
}

/** The user these credentials name. Unknown email and wrong password fail alike, in equal time. */
export async function authenticate(
  db: Db,
  input: SignInInput,
): Promise<{ userId: string; role: Role }> {
  const [user] = await db
    .select({ id: users.id, role: users.role, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.email, input.email), isNull(users.deactivatedAt)));
  const ok = user
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyNothing(input.password);
  if (!user || !ok) throw new DomainError("UNAUTHORIZED", "auth.wrongCredentials");
  return { userId: user.id, role: user.role };
}

export async function getProfile(db: Db, actor: Actor) {
  const [row] = await db
    .select({
      name: users.name,
      email: users.email,
      role: users.role,
      locale: users.locale,
      emailVerifiedAt: users.emailVerifiedAt,
      newsletterConsentAt: users.newsletterConsentAt,
      surveyConsentAt: users.surveyConsentAt,
      notifyNewRequests: users.notifyNewRequests,
      accountName: accounts.name,
      accountKind: accounts.kind,
    })
    .from(users)
    .leftJoin(accounts, eq(accounts.id, users.accountId))
    .where(eq(users.id, actor.userId));
  if (!row) throw notFound();
  return row;
}

export async function setName(db: Db, actor: Actor, name: string): Promise<void> {
  await db.update(users).set({ name }).where(eq(users.id, actor.userId));
}

export async function setLocale(db: Db, actor: Actor, locale: Locale): Promise<void> {
  await db.update(users).set({ locale }).where(eq(users.id, actor.userId));
}

/** An account's name and kind, built once: the orders page asks it with every page of orders. */
const accountSummary = prepareRows((on) =>
  on
    .select({ name: accounts.name, kind: accounts.kind })
    .from(accounts)
    .where(eq(accounts.id, param("accountId"))),
);

/** The caller's account: its name and whether it is a person or a business. */
export async function getAccountSummary(db: Db, actor: CustomerActor) {
  const [account] = await accountSummary.all(db, { accountId: actor.accountId });
  if (!account) throw notFound();
  return account;
}

/** How many colleagues the home page lists; a big company's thousands are counted, not shown. */
const HOME_CONTACTS = 12;

/** The caller's account as its home page shows it, with the other contacts of a business account. */
export async function getCustomerHome(db: Db, actor: CustomerActor) {
  const account = await getAccountSummary(db, actor);
  const colleagues = and(eq(users.accountId, actor.accountId), ne(users.id, actor.userId));
  const contacts = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(colleagues)
    .orderBy(asc(users.name))
    .limit(HOME_CONTACTS);
  const contactCount =
    contacts.length < HOME_CONTACTS
      ? contacts.length
      : ((await db.select({ n: count() }).from(users).where(colleagues))[0]?.n ?? 0);
  return { account, contacts, contactCount };
}

/** Mails the user a link that proves they own their address. */
export async function sendVerification(
  tx: DbOrTx,
  user: { id: string; name: string; email: string; locale: Locale },
  publicUrl: URL,
): Promise<void> {
  const token = await issueToken(tx, user.id, "verify-email", user.email);
  const url = new URL(`/verify-email?token=${token}`, publicUrl).href;
  await enqueueMail(tx, renderMail("verify", user.locale, user.email, { name: user.name, url }));
}

/**
 * Puts a customer on the account that lists their (verified) email as a contact. A user who is no
 * longer listed by the company-managed account they sit on gets a person account of their own.
 * The company's own list (ingest) always wins; an invitation from another customer (source portal)
 * moves only a user whose own account holds nothing yet: a customer with orders, requests or feedback
 * of their own is never pulled into someone else's company without their say.
 */
export async function syncMembership(tx: Tx, userId: string): Promise<void> {
  const [user] = await tx
    .select({
      email: users.email,
      name: users.name,
      accountId: users.accountId,
      verified: users.emailVerifiedAt,
      managed: accounts.externalId,
    })
    .from(users)
    .leftJoin(accounts, eq(accounts.id, users.accountId))
    .where(and(eq(users.id, userId), eq(users.role, "customer")));
  if (!user) return;
  const [contact] = await tx
    .select({ accountId: contacts.accountId, source: contacts.source })
    .from(contacts)
    .where(eq(contacts.email, user.email));
  if (contact && user.verified !== null) {
    if (contact.accountId === user.accountId) return;
    const invitedAway =
      contact.source === "portal" && user.accountId && (await hasHistory(tx, user.accountId));
    if (!invitedAway) await moveUserToAccount(tx, userId, user.accountId, contact.accountId);
  } else if (user.managed !== null) {
    await detachFromAccount(tx, userId, user.name);
  }
}

export async function moveUserToAccount(
  tx: Tx,
  userId: string,
  from: string | null,
  to: string,
): Promise<void> {
  await tx.update(users).set({ accountId: to }).where(eq(users.id, userId));
  if (from) await deleteAccountIfEmpty(tx, from);
}

/** Gives a user who left a business account a person account of their own. */
export async function detachFromAccount(tx: Tx, userId: string, name: string): Promise<void> {
  const accountId = newId();
  await tx.insert(accounts).values({ id: accountId, kind: "person", name, createdAt: Date.now() });
  await tx.update(users).set({ accountId }).where(eq(users.id, userId));
}

/** Whether the account has anything of its own: orders, requests or feedback. */
async function hasHistory(tx: Tx, accountId: string): Promise<boolean> {
  const [any] = await tx
    .select({ id: orders.id })
    .from(orders)
    .where(eq(orders.accountId, accountId))
    .union(tx.select({ id: requests.id }).from(requests).where(eq(requests.accountId, accountId)))
    .union(tx.select({ id: feedback.id }).from(feedback).where(eq(feedback.accountId, accountId)))
    .limit(1);
  return any !== undefined;
}

/** A person account made by signing up, left with no users, contacts or history, is removed. */
async function deleteAccountIfEmpty(tx: Tx, accountId: string): Promise<void> {
  const [account] = await tx
    .select({ externalId: accounts.externalId })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account || account.externalId !== null) return;
  const [used] = await tx
    .select({ id: users.id })
    .from(users)
    .where(eq(users.accountId, accountId))
    .union(tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.accountId, accountId)))
    .limit(1);
  if (!used && !(await hasHistory(tx, accountId)))
    await tx.delete(accounts).where(eq(accounts.id, accountId));
}

export function isUniqueViolation(error: unknown, column: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed") && e.message.includes(column)) return true;
  }
  return false;
}
