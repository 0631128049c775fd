// What the staff console's home shows: the size of the customer base and, for admins, the team.
import { asc, count, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, users } from "../../db/schema";
import type { AdminActor, StaffActor } from "../actor";

export async function getStaffHome(db: Db, _actor: StaffActor) {
  const [accountRows, customerRows, staffRows] = await Promise.all([
    db.select({ kind: accounts.kind, n: count() }).from(accounts).groupBy(accounts.kind),
    db.select({ n: count() }).from(users).where(eq(users.role, "customer")),
    db
      .select({ n: count() })
      .from(users)
      .where(inArray(users.role, ["agent", "admin"])),
  ]);
  const accountsOf = (kind: string) => accountRows.find((r) => r.kind === kind)?.n ?? 0;
  return {
    personAccounts: accountsOf("person"),
    businessAccounts: accountsOf("business"),
    customers: customerRows[0]?.n ?? 0,
    staff: staffRows[0]?.n ?? 0,
  };
}

export async function listTeam(db: Db, _actor: AdminActor) {
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(inArray(users.role, ["agent", "admin"]))
    .orderBy(asc(users.name));
}
