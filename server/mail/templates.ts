// The mails Tengsl sends, in the recipient's language, as plain text and as simple HTML. Each kind is a
// subject, a sentence, an action link and, for replies, the message itself quoted as plain text.
import type { Locale } from "../../db/schema";
import { translator, type MessageKey } from "../../site/i18n";
import type { MailMessage } from "./outbox";

const kinds = [
  "verify",
  "reset",
  "changeEmail",
  "emailChanged",
  "invite",
  "staffInvite",
  "newRequest",
  "customerReply",
  "staffReply",
  "resolved",
  "feedbackReply",
] as const;
export type MailKind = (typeof kinds)[number];

/** Every kind's texts live in the catalogs as mail.<kind>.subject, .body and .action. */
const keysOf = (kind: MailKind) => ({
  subject: `mail.${kind}.subject` as MessageKey,
  body: `mail.${kind}.body` as MessageKey,
  action: `mail.${kind}.action` as MessageKey,
});

export function renderMail(
  kind: MailKind,
  locale: Locale,
  to: string,
  {
    name,
    url,
    quote,
    ...params
  }: { name: string; url: string; quote?: string } & Record<string, string>,
): MailMessage {
  const t = translator(locale);
  const k = keysOf(kind);
  const subject = t(k.subject, params);
  const body = t(k.body, params);
  const quoted = quote ? ["", ...quote.split("\n").map((line) => `> ${line}`)] : [];
  const lines = [
    t("mail.greeting", { name }),
    "",
    body,
    ...quoted,
    "",
    `${t(k.action)}: ${url}`,
    "",
    t("mail.ignore"),
    "",
    t("mail.signature"),
  ];
  const html = `<!doctype html><html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#14222b;line-height:1.5">
<p>${escapeHtml(t("mail.greeting", { name }))}</p>
<p>${escapeHtml(body)}</p>
${quote ? `<blockquote style="border-left:3px solid #dde4e8;margin:0;padding:0 12px;color:#33434d;white-space:pre-wrap">${escapeHtml(quote)}</blockquote>` : ""}
<p><a href="${escapeHtml(url)}" style="display:inline-block;background:#0f5b66;color:#fff;padding:10px 18px;border-radius:8px;text-decoration:none;font-weight:600">${escapeHtml(t(k.action))}</a></p>
<p style="color:#4a5b66;font-size:14px">${escapeHtml(url)}</p>
<p style="color:#4a5b66;font-size:14px">${escapeHtml(t("mail.ignore"))}</p>
<p>${escapeHtml(t("mail.signature"))}</p>
</body></html>`;
  return { to, subject, text: lines.join("\n"), html };
}

/** Mail kinds whose texts the catalogs must hold (checked by a test). */
export const mailKinds: readonly MailKind[] = kinds;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
