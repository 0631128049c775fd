// Test factories: accounts and users with sensible defaults, written straight to the database.
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { accounts, users, type AccountKind, type Role } from "../../db/schema";
import { hashPassword } from "../../server/auth/password";
import type { User } from "../../server/auth/session";
import { totpCode, totpStep } from "../../server/auth/totp";

export const TEST_PASSWORD = "correct horse battery";
/** The TOTP key of every enrolled test user (admins are enrolled unless asked otherwise). */
export const TEST_TOTP_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/** The test key's code for now (or for a step `offset` away from now). */
export const testTotpCode = (now = Date.now(), offset = 0) =>
  totpCode(TEST_TOTP_KEY, totpStep(now) + offset);
let passwordHash: Promise<string> | undefined;
let counter = 0;

export async function createAccount(
  db: Db,
  kind: AccountKind = "person",
  name = `Account ${++counter}`,
) {
  const id = newId();
  await db.insert(accounts).values({ id, kind, name, createdAt: Date.now() });
  return id;
}

/** A user as Lucia hands it to the context. Customers get a new person account unless one is given. */
export async function createUser(
  db: Db,
  {
    role = "customer",
    accountId,
    name,
    email,
    // Admins must have two-factor sign-in to use the staff console, so the factory's admins have it.
    twoFactor = role === "admin",
  }: { role?: Role; accountId?: string; name?: string; email?: string; twoFactor?: boolean } = {},
): Promise<User> {
  const n = ++counter;
  const account = role === "customer" ? (accountId ?? (await createAccount(db))) : null;
  const row = {
    id: newId(),
    accountId: account,
    email: email ?? `person${n}-${newId().slice(0, 6).toLowerCase()}@example.com`,
    name: name ?? `Person ${n}`,
    role,
    locale: null,
    emailVerified: true,
    twoFactorEnabled: twoFactor,
  };
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const { emailVerified: _, twoFactorEnabled: __, ...columns } = row;
  const now = Date.now();
  await db.insert(users).values({
    ...columns,
    passwordHash: await passwordHash,
    emailVerifiedAt: now,
    totpSecret: twoFactor ? TEST_TOTP_KEY : null,
    totpEnabledAt: twoFactor ? now : null,
    createdAt: now,
  });
  return row;
}
