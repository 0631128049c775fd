// The mails Tengsl sends, in the recipient's language, as plain text and as simple HTML.
import type { Locale } from "../../db/schema";
import { translator, type MessageKey } from "../../site/i18n";
import type { MailMessage } from "./outbox";

export type MailKind = "verify" | "reset" | "changeEmail" | "emailChanged" | "invite";

const keys: Record<MailKind, { subject: MessageKey; body: MessageKey; action: MessageKey }> = {
  verify: {
    subject: "mail.verify.subject",
    body: "mail.verify.body",
    action: "mail.verify.action",
  },
  reset: { subject: "mail.reset.subject", body: "mail.reset.body", action: "mail.reset.action" },
  changeEmail: {
    subject: "mail.changeEmail.subject",
    body: "mail.changeEmail.body",
    action: "mail.changeEmail.action",
  },
  emailChanged: {
    subject: "mail.emailChanged.subject",
    body: "mail.emailChanged.body",
    action: "mail.emailChanged.action",
  },
  invite: {
    subject: "mail.invite.subject",
    body: "mail.invite.body",
    action: "mail.invite.action",
  },
};

export function renderMail(
  kind: MailKind,
  locale: Locale,
  to: string,
  { name, url, ...params }: { name: string; url: string } & Record<string, string>,
): MailMessage {
  const t = translator(locale);
  const k = keys[kind];
  const subject = t(k.subject, params);
  const body = t(k.body, params);
  const lines = [
    t("mail.greeting", { name }),
    "",
    body,
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
<p><a href="${escapeHtml(url)}" style="display:inline-block;background:#0f5b66;color:#fff;padding:10px 18px;border-radius:8px;text-decoration:none;font-weight:600">${escapeHtml(t(k.action))}</a></p>
<p style="color:#4a5b66;font-size:14px">${escapeHtml(url)}</p>
<p style="color:#4a5b66;font-size:14px">${escapeHtml(t("mail.ignore"))}</p>
<p>${escapeHtml(t("mail.signature"))}</p>
</body></html>`;
  return { to, subject, text: lines.join("\n"), html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
