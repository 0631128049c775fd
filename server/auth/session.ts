// Sessions: Lucia 3 behind this module, so replacing it (it is in maintenance upstream) touches nothing
// else. Cookies are HttpOnly and SameSite=Lax, Secure when PUBLIC_URL is https.
//
// Lifetimes depend on the role. A session ends after a time without use (idle) and, however busy, at an
// absolute age counted from sign-in: customers idle 30 days / absolute 90 days; staff, whose sessions
// reach every customer's data, idle 12 hours / absolute 7 days. The stored expires_at is the session's
// real end, min(last use + idle, created + absolute); use pushes it forward at most once a minute, so a
// busy page costs no write per request. Lucia's own renewal (one lifetime for everyone, measured with
// Date.now()) is replaced below, with a clock that tests can set.
import { Cookie, generateIdFromEntropySize, Lucia, TimeSpan, type Session } from "lucia";
import type { Db } from "../../db/client";
import type { Locale, Role } from "../../db/schema";
import { SessionAdapter } from "./session-adapter";
import { CHALLENGE_TTL_MS } from "./totp";

export const SESSION_COOKIE = "tengsl_session";
/** Carries a sign-in whose second step (a two-factor code) is still owed; no session yet. */
export const CHALLENGE_COOKIE = "tengsl_2fa";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export const sessionLifetimes = {
  customer: { idleMs: 30 * DAY, absoluteMs: 90 * DAY },
  staff: { idleMs: 12 * HOUR, absoluteMs: 7 * DAY },
} as const;

export const lifetimeFor = (role: Role) =>
  role === "customer" ? sessionLifetimes.customer : sessionLifetimes.staff;

/** How far use must move a session's end before it is written again. */
const RENEW_STEP_MS = 60 * 1000;

/** Epoch milliseconds now; tests pass their own. */
export type Clock = () => number;

export interface UserAttributes {
  accountId: string | null;
  email: string;
  name: string;
  role: Role;
  locale: Locale | null;
  emailVerified: boolean;
  /** Confirmed TOTP enrolment: asked for at sign-in, and what admins need to use the staff console. */
  twoFactorEnabled: boolean;
}

/** The signed-in user as the context and pages see it. */
export type User = UserAttributes & { id: string };

export class SessionAuth extends Lucia<Record<never, never>, UserAttributes> {
  constructor(
    private readonly store: SessionAdapter,
    private readonly now: Clock,
    private readonly options: { secure: boolean },
  ) {
    const { secure } = options;
    super(store, {
      // Only the cookie's lifetime: the longest absolute lifetime; the server ends sessions sooner.
      sessionExpiresIn: new TimeSpan(sessionLifetimes.customer.absoluteMs / DAY, "d"),
      sessionCookie: { name: SESSION_COOKIE, attributes: { secure, sameSite: "lax" } },
      getUserAttributes: userAttributes,
    });
  }

  createChallengeCookie(challengeId: string): Cookie {
    return new Cookie(CHALLENGE_COOKIE, challengeId, {
      httpOnly: true,
      secure: this.options.secure,
      sameSite: "lax",
      path: "/",
      maxAge: CHALLENGE_TTL_MS / 1000,
    });
  }

  createBlankChallengeCookie(): Cookie {
    return new Cookie(CHALLENGE_COOKIE, "", {
      httpOnly: true,
      secure: this.options.secure,
      sameSite: "lax",
      path: "/",
      maxAge: 0,
    });
  }

  readChallengeCookie(cookieHeader: string): string | null {
    for (const part of cookieHeader.split(";")) {
      const [name, ...value] = part.trim().split("=");
      if (name === CHALLENGE_COOKIE) return value.join("=") || null;
    }
    return null;
  }

  override async createSession(
    userId: string,
    _attributes: Record<never, never>,
    options?: { sessionId?: string },
  ) {
    const now = this.now();
    const role = await this.store.roleOf(userId);
    const id = options?.sessionId ?? generateIdFromEntropySize(25);
    // An unknown user gets the shorter lifetime; the insert then fails on the foreign key anyway.
    const expiresAt = now + lifetimeFor(role ?? "agent").idleMs;
    await this.store.insertSession({ id, userId, expiresAt, createdAt: now });
    return { id, userId, fresh: true, expiresAt: new Date(expiresAt) };
  }

  override async validateSession(
    sessionId: string,
  ): Promise<{ session: Session; user: User } | { session: null; user: null }> {
    const now = this.now();
    let found = await this.store.findSession(sessionId);
    // What this process kept may be older than the stored row (another process renewed it): a session
    // is ended or renewed only as stored.
    if (found && writeDue(lifetimeAt(found, now)))
      found = await this.store.findSession(sessionId, { stored: true });
    if (!found) return { session: null, user: null };
    const { row, user } = found;
    const { ended, renewed, fresh } = lifetimeAt(found, now);
    if (ended) {
      await this.store.deleteEndedSession(sessionId, now, lifetimeFor(user.role).absoluteMs);
      return { session: null, user: null };
    }
    if (fresh) await this.store.updateSessionExpiration(sessionId, new Date(renewed));
    return {
      session: {
        id: sessionId,
        userId: user.id,
        fresh,
        expiresAt: new Date(fresh ? renewed : row.expiresAt),
      },
      user: { id: user.id, ...userAttributes(user) },
    };
  }
}

/**
 * Where a stored session stands at `now`: `ended` (idle too long or past its absolute age), else its end
 * if used now (`renewed`), which is written (`fresh`) once it moves the stored end by a step.
 */
function lifetimeAt(
  { row, user }: { row: { createdAt: number; expiresAt: number }; user: { role: Role } },
  now: number,
) {
  const { idleMs, absoluteMs } = lifetimeFor(user.role);
  const end = row.createdAt + absoluteMs;
  const renewed = Math.min(now + idleMs, end);
  return {
    ended: now >= row.expiresAt || now >= end,
    renewed,
    fresh: renewed - row.expiresAt >= RENEW_STEP_MS,
  };
}

const writeDue = ({ ended, fresh }: ReturnType<typeof lifetimeAt>) => ended || fresh;

/** The user's columns the session adapter reads. */
interface StoredUser {
  accountId: string | null;
  email: string;
  name: string;
  role: Role;
  locale: Locale | null;
  emailVerifiedAt: number | null;
  totpEnabledAt: number | null;
}

/** What a signed-in user carries, from the stored row: one mapping for Lucia and for validation. */
function userAttributes(a: StoredUser) {
  return {
    accountId: a.accountId,
    email: a.email,
    name: a.name,
    role: a.role,
    locale: a.locale,
    emailVerified: a.emailVerifiedAt !== null,
    twoFactorEnabled: a.totpEnabledAt !== null,
  };
}

export function createAuth(db: Db, { secure, now = Date.now }: { secure: boolean; now?: Clock }) {
  return new SessionAuth(new SessionAdapter(db, now), now, { secure });
}

export type Auth = SessionAuth;
export type { Cookie, Session } from "lucia";

declare module "lucia" {
  interface Register {
    Lucia: SessionAuth;
    DatabaseUserAttributes: StoredUser;
  }
}
