// The tRPC context. createContextInner takes plain data (tests and server-side page calls use it);
// createHttpContext adapts a node:http request for the API door.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "../db/client";
import type { Actor } from "./actor";
import { resolveSession, type CookieJar } from "./auth/cookies";
import type { Auth, Session, User } from "./auth/session";
import type { LiveEvents } from "./events/live";

export interface ContextInner {
  db: Db;
  auth: Auth;
  session: Session | null;
  user: User | null;
  /** Where the door puts cookies that procedures set (sign-in, sign-out). */
  cookies: CookieJar;
  /** The pending second step of a sign-in, from its cookie (two-factor sign-in). */
  challengeId?: string | null;
  /** Where people reach Tengsl, for links in mail. */
  publicUrl: URL;
  /** The caller's IP address, for rate limits; null when unknown. */
  clientIp: string | null;
  /** Where attachments are stored. */
  filesDir: string;
  /** This process's feed of live events, for subscriptions. */
  live: LiveEvents;
}

export type Context = ContextInner & { actor: Actor | null };

export function createContextInner(inner: ContextInner): Context {
  const { user } = inner;
  return {
    ...inner,
    actor: user
      ? {
          userId: user.id,
          role: user.role,
          accountId: user.accountId,
          email: user.email,
          ip: inner.clientIp,
        }
      : null,
  };
}

/** The parts of a context that come from the running app rather than from the request. */
export interface AppParts {
  db: Db;
  auth: Auth;
  config: { publicUrl: URL; filesDir: string };
  live: LiveEvents;
}

/** A request's context: the app's parts plus who is asking, from where, and where cookies go. */
export function contextFor(
  { db, auth, config, live }: AppParts,
  request: Pick<ContextInner, "session" | "user" | "cookies" | "clientIp" | "challengeId">,
): Context {
  return createContextInner({
    db,
    auth,
    publicUrl: config.publicUrl,
    filesDir: config.filesDir,
    live,
    ...request,
  });
}

export async function createHttpContext(
  app: AppParts,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Context> {
  const cookies: CookieJar = {
    set: (cookie) => res.appendHeader("Set-Cookie", cookie.serialize()),
  };
  const sessionId = app.auth.readSessionCookie(req.headers.cookie ?? "");
  const { session, user } = await resolveSession(app.auth, sessionId, cookies);
  return contextFor(app, {
    session,
    user,
    cookies,
    clientIp: req.socket.remoteAddress ?? null,
    challengeId: app.auth.readChallengeCookie(req.headers.cookie ?? ""),
  });
}
