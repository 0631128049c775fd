import type { Role } from "../../db/schema";

/** A path on this site to return to after sign-in, or null: never another origin (open redirect). */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return null;
  if (value.includes("\\") || /[\u0000-\u001f]/.test(value)) return null;
  return value;
}

export const homeFor = (role: Role) => (role === "customer" ? "/" : "/staff");

export const signInPath = (returnTo: string) =>
  returnTo === "/" ? "/sign-in" : `/sign-in?returnTo=${encodeURIComponent(returnTo)}`;

/** Where staff manage two-factor sign-in, and where admins without it are sent. */
export const SECURITY_PATH = "/account/security";

/** `path` with the non-empty parameters as its query: the links of filtered, paged lists. */
export function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
