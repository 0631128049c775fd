// What the staff console's home shows: the size of the customer base and, for admins, the team.
import { asc, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { directoryCounts, users } from "../../db/schema";
import type { AdminActor, StaffActor } from "../actor";

/** Read from directory_counts (kept by triggers), not by counting every account and user. */
export async function getStaffHome(db: Db, _actor: StaffActor) {
  const rows = await db.select().from(directoryCounts);
  const of = (key: string) => rows.find((r) => r.key === key)?.n ?? 0;
  return {
    personAccounts: of("account:person"),
    businessAccounts: of("account:business"),
    customers: of("user:customer"),
    staff: of("user:agent") + of("user:admin"),
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
