// Accounts and their people: sign-up, credential checks, profile and language preference, and what a
// customer's home shows about their own account.
import { and, asc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { accounts, locales, users, type Locale, type Role } from "../../db/schema";
import type { Actor, CustomerActor } from "../actor";
import {
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyNothing,
  verifyPassword,
} from "../auth/password";
import { DomainError, notFound } from "../errors";

/** Emails compare case-insensitively: stored and looked up lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const email = z
  .string({ error: "validation.emailRequired" })
  .trim()
  .min(1, { error: "validation.emailRequired" })
  .max(254, { error: "validation.emailInvalid" })
  .pipe(z.email({ error: "validation.emailInvalid" }))
  .transform(normalizeEmail);

export const signUpInput = z.object({
  name: z
    .string({ error: "validation.nameRequired" })
    .trim()
    .min(1, { error: "validation.nameRequired" })
    .max(100, { error: "validation.nameTooLong" }),
  email,
  password: z
    .string({ error: "validation.passwordTooShort" })
    .min(PASSWORD_MIN_LENGTH, { error: "validation.passwordTooShort" })
    .max(PASSWORD_MAX_LENGTH, { error: "validation.passwordTooLong" }),
  locale: z.enum(locales).optional(),
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({
  email,
  // No length rules here: a sign-in form must not hint at what the password looks like.
  password: z
    .string({ error: "validation.passwordRequired" })
    .min(1, { error: "validation.passwordRequired" })
    .max(PASSWORD_MAX_LENGTH, { error: "auth.wrongCredentials" }),
});
export type SignInInput = z.infer<typeof signInInput>;

export const setLocaleInput = z.object({ locale: z.enum(locales) });

/** Creates a person account and its customer user. Returns the new user's id. */
export async function signUp(db: Db, input: SignUpInput): Promise<string> {
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
    .where(eq(users.email, input.email));
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
      accountName: accounts.name,
      accountKind: accounts.kind,
    })
    .from(users)
    .leftJoin(accounts, eq(accounts.id, users.accountId))
    .where(eq(users.id, actor.userId));
  if (!row) throw notFound();
  return row;
}

export async function setLocale(db: Db, actor: Actor, locale: Locale): Promise<void> {
  await db.update(users).set({ locale }).where(eq(users.id, actor.userId));
}

/** The caller's account as its home page shows it, with the other contacts of a business account. */
export async function getCustomerHome(db: Db, actor: CustomerActor) {
  const [account] = await db
    .select({ name: accounts.name, kind: accounts.kind })
    .from(accounts)
    .where(eq(accounts.id, actor.accountId));
  if (!account) throw notFound();
  const contacts = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.accountId, actor.accountId), ne(users.id, actor.userId)))
    .orderBy(asc(users.name));
  return { account, contacts };
}

function isUniqueViolation(error: unknown, column: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed") && e.message.includes(column)) return true;
  }
  return false;
}
