import { desc } from "drizzle-orm";
import type { Db } from "../../db/client";
import { outbox } from "../../db/schema";
import type { MailMessage } from "../../server/mail/outbox";

/** The newest mail queued for `to`, and the first link in it (relative to the site). */
export async function lastMailTo(db: Db, to: string) {
  const rows = await db
    .select({ payload: outbox.payload })
    .from(outbox)
    .orderBy(desc(outbox.createdAt));
  const mail = rows.map((r) => r.payload as MailMessage).find((m) => m.to === to);
  if (!mail) return null;
  const url = /https?:\/\/\S+/.exec(mail.text)?.[0];
  return {
    ...mail,
    path: url ? new URL(url).pathname + new URL(url).search : null,
    token: url ? new URL(url).searchParams.get("token") : null,
  };
}
