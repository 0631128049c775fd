// A business account's contacts as its admin contact sees them, and inviting a colleague to join.
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { accounts, contacts, users } from "../../db/schema";
import type { CustomerActor } from "../actor";
import { DomainError } from "../errors";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";
import { emailField, nameField } from "./accounts";

export const inviteInput = z.object({ name: nameField, email: emailField });

/** The caller's account and whether they are its admin contact (who may see and invite contacts). */
export async function contactRole(db: Db, actor: CustomerActor) {
  const [row] = await db
    .select({
      isAdmin: contacts.isAdmin,
      accountName: accounts.name,
      kind: accounts.kind,
      userName: users.name,
      email: users.email,
    })
    .from(users)
    .innerJoin(accounts, eq(accounts.id, users.accountId))
    .leftJoin(
      contacts,
      and(eq(contacts.email, users.email), eq(contacts.accountId, users.accountId)),
    )
    .where(eq(users.id, actor.userId));
  return { isAdmin: row?.kind === "business" && row.isAdmin === true, ...row };
}

export async function listContacts(db: Db, actor: CustomerActor) {
  const role = await contactRole(db, actor);
  if (!role.isAdmin) throw new DomainError("FORBIDDEN", "error.forbidden");
  return db
    .select({
      name: contacts.name,
      email: contacts.email,
      isAdmin: contacts.isAdmin,
      userId: users.id,
    })
    .from(contacts)
    .leftJoin(users, and(eq(users.email, contacts.email), eq(users.accountId, contacts.accountId)))
    .where(eq(contacts.accountId, actor.accountId))
    .orderBy(asc(contacts.name));
}

/** Adds a contact to the caller's account and mails them a link to create their sign-in. */
export async function inviteColleague(
  db: Db,
  actor: CustomerActor,
  input: z.output<typeof inviteInput>,
  publicUrl: URL,
) {
  const role = await contactRole(db, actor);
  if (!role.isAdmin) throw new DomainError("FORBIDDEN", "error.forbidden");
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ accountId: contacts.accountId })
      .from(contacts)
      .where(eq(contacts.email, input.email));
    if (existing) {
      // Never say that the address belongs to another account.
      throw new DomainError(
        "CONFLICT",
        existing.accountId === actor.accountId ? "account.alreadyContact" : "account.cannotInvite",
        "email",
      );
    }
    await tx.insert(contacts).values({
      id: newId(),
      accountId: actor.accountId,
      email: input.email,
      name: input.name,
      isAdmin: false,
      source: "portal",
      createdAt: Date.now(),
    });
    const url = new URL(`/sign-up?email=${encodeURIComponent(input.email)}`, publicUrl).href;
    const [invitee] = await tx
      .select({ locale: users.locale })
      .from(users)
      .where(eq(users.email, input.email));
    await enqueueMail(
      tx,
      renderMail("invite", invitee?.locale ?? "en", input.email, {
        name: input.name,
        url,
        inviter: role.userName ?? "",
        account: role.accountName ?? "",
      }),
    );
  });
}
