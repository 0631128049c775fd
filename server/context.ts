// The tRPC context. createContextInner takes plain data (tests and server-side page calls use it);
// createHttpContext adapts a node:http request for the API door.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "../db/client";
import type { Actor } from "./actor";
import { resolveSession, type CookieJar } from "./auth/cookies";
import type { Auth, Session, User } from "./auth/session";

export interface ContextInner {
  db: Db;
  auth: Auth;
  session: Session | null;
  user: User | null;
  /** Where the door puts cookies that procedures set (sign-in, sign-out). */
  cookies: CookieJar;
  /** Where people reach Tengsl, for links in mail. */
  publicUrl: URL;
  /** The caller's IP address, for rate limits; null when unknown. */
  clientIp: string | null;
}

export type Context = ContextInner & { actor: Actor | null };

export function createContextInner(inner: ContextInner): Context {
  const { user } = inner;
  return {
    ...inner,
    actor: user ? { userId: user.id, role: user.role, accountId: user.accountId } : null,
  };
}

export async function createHttpContext(
  { db, auth, config }: { db: Db; auth: Auth; config: { publicUrl: URL } },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Context> {
  const cookies: CookieJar = {
    set: (cookie) => res.appendHeader("Set-Cookie", cookie.serialize()),
  };
  const sessionId = auth.readSessionCookie(req.headers.cookie ?? "");
  const { session, user } = await resolveSession(auth, sessionId, cookies);
  return createContextInner({
    db,
    auth,
    session,
    user,
    cookies,
    publicUrl: config.publicUrl,
    clientIp: req.socket.remoteAddress ?? null,
  });
}
