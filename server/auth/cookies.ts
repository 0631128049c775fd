// Starting, checking and ending sessions, for any door that keeps the session in a cookie.
import type { Auth, Cookie, Session, User } from "./session";

export interface CookieJar {
  set(cookie: Cookie): void;
}

/** Validates the session named by the cookie, renewing the cookie or clearing a stale one. */
export async function resolveSession(
  auth: Auth,
  sessionId: string | null,
  cookies: CookieJar,
): Promise<{ session: Session | null; user: User | null }> {
  if (!sessionId) return { session: null, user: null };
  const { session, user } = await auth.validateSession(sessionId);
  if (!session) cookies.set(auth.createBlankSessionCookie());
  else if (session.fresh) cookies.set(auth.createSessionCookie(session.id));
  return { session, user };
}

/** Signs a user in with a new session id (never reusing the one the browser came with). */
export async function startSession(
  auth: Auth,
  cookies: CookieJar,
  userId: string,
  previous: Session | null,
): Promise<void> {
  if (previous) await auth.invalidateSession(previous.id);
  const session = await auth.createSession(userId, {});
  cookies.set(auth.createSessionCookie(session.id));
}

export async function endSession(
  auth: Auth,
  cookies: CookieJar,
  session: Session | null,
): Promise<void> {
  if (session) await auth.invalidateSession(session.id);
  cookies.set(auth.createBlankSessionCookie());
}
