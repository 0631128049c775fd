// Sessions: Lucia 3 behind this module, so replacing it (it is in maintenance upstream) touches nothing
// else. Cookies are HttpOnly and SameSite=Lax, Secure when PUBLIC_URL is https.
import { Lucia, TimeSpan } from "lucia";
import type { Db } from "../../db/client";
import type { Locale, Role } from "../../db/schema";
import { SessionAdapter } from "./session-adapter";

export const SESSION_COOKIE = "tengsl_session";

export function createAuth(db: Db, { secure }: { secure: boolean }) {
  return new Lucia(new SessionAdapter(db), {
    // Lucia renews a session in its second half, so an active user stays signed in.
    sessionExpiresIn: new TimeSpan(30, "d"),
    sessionCookie: { name: SESSION_COOKIE, attributes: { secure, sameSite: "lax" } },
    getUserAttributes: (a) => ({
      accountId: a.accountId,
      email: a.email,
      name: a.name,
      role: a.role,
      locale: a.locale,
      emailVerified: a.emailVerifiedAt !== null,
    }),
  });
}

export type Auth = ReturnType<typeof createAuth>;
export type { Cookie, Session, User } from "lucia";

declare module "lucia" {
  interface Register {
    Lucia: Auth;
    DatabaseUserAttributes: {
      accountId: string | null;
      email: string;
      name: string;
      role: Role;
      locale: Locale | null;
      emailVerifiedAt: number | null;
    };
  }
}
