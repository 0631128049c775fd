// Demo data for a first look: a person, a business with two contacts, an agent and an admin, all with
// the password below. Seeded only into an empty database, and only when SEED_DEMO is not false.
import { count } from "drizzle-orm";
import { hashPassword } from "../../server/auth/password";
import type { Db } from "../client";
import { newId } from "../ids";
import { accounts, users, type AccountKind, type Role } from "../schema";

export const DEMO_PASSWORD = "tengsl-demo";

export const demoSignIns = [
  { email: "anna@example.com", name: "Anna Jónsdóttir", role: "customer", account: "anna" },
  {
    email: "jon@nordurljos.example.com",
    name: "Jón Sigurðsson",
    role: "customer",
    account: "nordurljos",
  },
  {
    email: "gudrun@nordurljos.example.com",
    name: "Guðrún Helgadóttir",
    role: "customer",
    account: "nordurljos",
  },
  { email: "agent@example.com", name: "Sigga Agent", role: "agent", account: null },
  { email: "admin@example.com", name: "Ari Admin", role: "admin", account: null },
] as const satisfies readonly { email: string; name: string; role: Role; account: string | null }[];

const demoAccounts: Record<string, { kind: AccountKind; name: string }> = {
  anna: { kind: "person", name: "Anna Jónsdóttir" },
  nordurljos: { kind: "business", name: "Norðurljós ehf." },
};

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return (row?.n ?? 0) === 0;
}

export async function seedDemo(db: Db): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = Date.now();
  const accountIds = Object.fromEntries(Object.keys(demoAccounts).map((key) => [key, newId()]));
  await db.transaction(async (tx) => {
    for (const [key, account] of Object.entries(demoAccounts)) {
      await tx.insert(accounts).values({ id: accountIds[key]!, ...account, createdAt: now });
    }
    for (const person of demoSignIns) {
      await tx.insert(users).values({
        id: newId(),
        accountId: person.account ? accountIds[person.account]! : null,
        email: person.email,
        name: person.name,
        passwordHash,
        role: person.role,
        locale: null,
        createdAt: now,
      });
    }
  });
}
