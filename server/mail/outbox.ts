// The transactional outbox: a mail is written in the same transaction as the change that causes it, so
// it is sent exactly when that change commits, and retried until it is delivered.
import type { DbOrTx } from "../../db/client";
import { newId } from "../../db/ids";
import { outbox } from "../../db/schema";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export async function enqueueMail(tx: DbOrTx, message: MailMessage): Promise<void> {
  const now = Date.now();
  await tx.insert(outbox).values({
    id: newId(),
    kind: "mail",
    payload: message,
    status: "pending",
    nextAttemptAt: now,
    createdAt: now,
  });
}
