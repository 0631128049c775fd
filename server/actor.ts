// The actor: who is asking. Every service takes one and scopes its reads and writes by it.
import type { Role } from "../db/schema";
import { DomainError } from "./errors";

export interface Actor {
  userId: string;
  role: Role;
  /** The customer's account; null for staff. */
  accountId: string | null;
  /** The sign-in address and the caller's IP, for the audit log; actors made by hand may leave them out. */
  email?: string;
  ip?: string | null;
}

export type CustomerActor = Actor & { role: "customer"; accountId: string };
export type StaffActor = Actor & { role: "agent" | "admin" };
export type AdminActor = Actor & { role: "admin" };

export function requireSignedIn(actor: Actor | null): Actor {
  if (!actor) throw new DomainError("UNAUTHORIZED", "error.unauthorized");
  return actor;
}

export function requireCustomer(actor: Actor | null): CustomerActor {
  const a = requireSignedIn(actor);
  if (a.role !== "customer" || !a.accountId) throw new DomainError("FORBIDDEN", "error.forbidden");
  return a as CustomerActor;
}

export function requireStaff(actor: Actor | null): StaffActor {
  const a = requireSignedIn(actor);
  if (a.role !== "agent" && a.role !== "admin")
    throw new DomainError("FORBIDDEN", "error.forbidden");
  return a as StaffActor;
}

export function requireAdmin(actor: Actor | null): AdminActor {
  const a = requireSignedIn(actor);
  if (a.role !== "admin") throw new DomainError("FORBIDDEN", "error.forbidden");
  return a as AdminActor;
}

export const isStaffRole = (role: Role) => role === "agent" || role === "admin";
