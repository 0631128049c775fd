// Reads the .eml files the server writes when it has no SMTP server, as a person reads their inbox.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { linkIn } from "./smtp-sink";

/** Waits for a mail to `to` whose text has a link starting with `prefix`, and returns that link. */
export async function waitForLink(
  mailDir: string,
  to: string,
  prefix: string,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let files: string[] = [];
    try {
      files = readdirSync(mailDir).sort().reverse();
    } catch {
      // the folder appears with the first mail
    }
    for (const file of files) {
      const raw = readFileSync(join(mailDir, file), "utf8");
      if (!new RegExp(`^To: ${to.replace(/[.+]/g, "\\$&")}$`, "mi").test(raw)) continue;
      const link = linkIn(raw, prefix);
      if (link) return link;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${to} with a link to ${prefix} within ${timeoutMs} ms`);
}
