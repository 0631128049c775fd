// How mail leaves: over SMTP with nodemailer when SMTP_URL is set, otherwise as .eml files in MAIL_DIR,
// so a demo or a test can open the links without a mail server.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type { MailMessage } from "./outbox";

export interface MailTransport {
  send(message: MailMessage, id: string): Promise<void>;
  close(): void;
}

export const MAIL_FROM = '"Tengsl" <no-reply@tengsl.example>';

export function createMailTransport({
  smtpUrl,
  mailDir,
}: {
  smtpUrl: string | undefined;
  mailDir: string;
}): MailTransport {
  if (smtpUrl) {
    const smtp = nodemailer.createTransport(smtpUrl);
    return {
      async send(message, id) {
        await smtp.sendMail({ from: MAIL_FROM, messageId: `<${id}@tengsl>`, ...message });
      },
      close: () => smtp.close(),
    };
  }
  const render = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "unix",
  });
  return {
    async send(message, id) {
      const info = await render.sendMail({
        from: MAIL_FROM,
        messageId: `<${id}@tengsl>`,
        ...message,
      });
      await mkdir(mailDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      await writeFile(join(mailDir, `${stamp}-${id}.eml`), info.message as Buffer);
    },
    close: () => render.close(),
  };
}
