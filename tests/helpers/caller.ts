// Calls the real router as a given user, the way SSR pages do, and records the cookies it sets.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../../db/client";
import { LiveEvents } from "../../server/events/live";
import type { CookieJar } from "../../server/auth/cookies";
import { createAuth, type Cookie, type Session, type User } from "../../server/auth/session";
import { createContextInner } from "../../server/context";
import { createCaller } from "../../server/root";

export const TEST_PUBLIC_URL = new URL("http://portal.test");

/**
 * `challengeId`: the pending two-factor sign-in, as its cookie would carry it. `signal`: the caller's
 * abort signal (an aborted one ends subscriptions at once).
 */
export function callerAs(
  db: Db,
  user: User | null,
  session: Session | null = null,
  { challengeId = null, signal }: { challengeId?: string | null; signal?: AbortSignal } = {},
) {
  const auth = createAuth(db, { secure: false });
  const cookies: Cookie[] = [];
  const jar: CookieJar = { set: (cookie) => cookies.push(cookie) };
  const caller = createCaller(
    createContextInner({
      db,
      auth,
      session,
      user,
      cookies: jar,
      challengeId,
      publicUrl: TEST_PUBLIC_URL,
      clientIp: "192.0.2.1",
      filesDir: join(tmpdir(), "tengsl-test-files"),
      live: new LiveEvents(db),
    }),
    { signal },
  );
  return { caller, auth, cookies };
}
