// What a new password must be: 10 to 256 characters, and none that attackers try first — a common
// password, a trivially repeated pattern, or the person's own email address. Every door that sets a
// password (sign-up, reset, change, staff invitation) uses newPasswordField and checkNewPassword.
import { z } from "zod";
import { DomainError } from "../errors";
import { commonPasswords } from "./common-passwords";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password";

const common = new Set(commonPasswords);

/** Fewer distinct characters than this ("aaaaaaaaaa", "ababababab", "1231231231") is a pattern. */
const MIN_DISTINCT_CHARACTERS = 4;

const fold = (text: string) => text.normalize("NFKC").toLowerCase();

/** True for passwords in the bundled list, repeated units ("passwordpassword") and runs ("abcdefghij"). */
export function isGuessablePassword(password: string): boolean {
  const folded = fold(password);
  if (common.has(folded)) return true;
  const chars = [...folded];
  if (new Set(chars).size < MIN_DISTINCT_CHARACTERS) return true;
  if (/^(.+?)\1+$/su.test(folded)) return true;
  const codes = chars.map((c) => c.codePointAt(0) ?? 0);
  const step = (codes[1] ?? 0) - (codes[0] ?? 0);
  return Math.abs(step) === 1 && codes.every((c, i) => i === 0 || c - (codes[i - 1] ?? 0) === step);
}

/** True when the password is the email address, or its part before the @, give or take punctuation. */
export function isEmailPassword(password: string, email: string): boolean {
  const bare = (text: string) => fold(text).replace(/[^\p{L}\p{N}]/gu, "");
  const address = fold(email.trim());
  const local = address.split("@")[0] ?? "";
  const candidate = bare(password);
  if (candidate === "" || bare(address) === "") return false;
  return (
    fold(password).includes(address) ||
    candidate === bare(address) ||
    (local.length > 0 && candidate === bare(local))
  );
}

/** The input field for a password being chosen; a sign-in form uses no such rules. */
export const newPasswordField = z
  .string({ error: "validation.passwordTooShort" })
  .min(PASSWORD_MIN_LENGTH, { error: "validation.passwordTooShort" })
  .max(PASSWORD_MAX_LENGTH, { error: "validation.passwordTooLong" })
  // A password that is too short or long already has its message; one is enough.
  .refine(
    (p) =>
      p.length < PASSWORD_MIN_LENGTH || p.length > PASSWORD_MAX_LENGTH || !isGuessablePassword(p),
    { error: "validation.passwordCommon" },
  );

/** Refuses a new password that is the account's own email; `field` names the form field it came from. */
export function checkNewPassword(password: string, email: string, field: string): void {
  if (isEmailPassword(password, email))
    throw new DomainError("BAD_REQUEST", "validation.passwordIsEmail", field);
}
