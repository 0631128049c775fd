// Lucia's storage adapter over our Drizzle tables. Written here rather than taken from
// @lucia-auth/adapter-drizzle so that times stay epoch milliseconds (the house rule), a session and its
// user come back in one joined query, the password hash is never read, and the table keeps only a hash
// of each session id, so a copy of the database signs no one in (docs/decisions/003).
import { hash } from "node:crypto";
import type { Adapter, DatabaseSession, DatabaseUser } from "lucia";
import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { param, prepareRows } from "../../db/prepared";
import { sessions, users } from "../../db/schema";
import { VersionedCache } from "../../db/versioned-cache";

const sessionUserColumns = {
  id: users.id,
  accountId: users.accountId,
  email: users.email,
  name: users.name,
  role: users.role,
  locale: users.locale,
  emailVerifiedAt: users.emailVerifiedAt,
  totpEnabledAt: users.totpEnabledAt,
};

/** The key a session is stored under: the SHA-256 of the id in the cookie. */
export const sessionKey = (sessionId: string) => hash("sha256", sessionId, "hex");

/**
 * The session and its user, in one query built once: every signed-in request asks it, and building a
 * Drizzle query costs more than SQLite answering it.
 */
const sessionWithUser = prepareRows((on) =>
  on
    .select({ row: sessions, user: sessionUserColumns })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    // A deactivated staff member's sessions end at once, even one deleted late.
    .where(and(eq(sessions.id, param("key")), isNull(users.deactivatedAt))),
);

type Found = Awaited<ReturnType<typeof sessionWithUser.all>>[number];

export class SessionAdapter implements Adapter {
  /** The sessions this process has checked (docs/decisions/032). */
  private readonly cache: VersionedCache<Found | null>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = VersionedCache.of(db, "sessions", "session by key");
  }

  /**
   * The session and its user, as this process last checked them unless `stored` (then as stored now);
   * the lifetime rules are applied by the caller.
   */
  async findSession(sessionId: string, { stored = false } = {}): Promise<Found | null> {
    const key = sessionKey(sessionId);
    return this.cache.read(
      key,
      async () => (await sessionWithUser.all(this.db, { key }))[0] ?? null,
      { fresh: stored },
    );
  }

  async roleOf(userId: string) {
    const [row] = await this.db
      .select({ role: users.role })
      .from(users)
      .where(eq(users.id, userId));
    return row?.role ?? null;
  }

  async insertSession(row: typeof sessions.$inferInsert): Promise<void> {
    await this.db.insert(sessions).values({ ...row, id: sessionKey(row.id) });
  }

  async getSessionAndUser(
    sessionId: string,
  ): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const found = await this.findSession(sessionId);
    if (!found) return [null, null];
    const { id, ...attributes } = found.user;
    return [
      { ...toDatabaseSession(found.row), id: sessionId },
      { id, attributes },
    ];
  }

  /** The sessions' ids here are the stored hashes: they identify sessions but cannot be used as cookies. */
  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db.select().from(sessions).where(eq(sessions.userId, userId));
    return rows.map(toDatabaseSession);
  }

  async setSession(session: DatabaseSession): Promise<void> {
    await this.db.insert(sessions).values({
      id: sessionKey(session.id),
      userId: session.userId,
      expiresAt: session.expiresAt.getTime(),
      createdAt: this.now(),
    });
  }

  /** Moves the session's end to `expiresAt`, never earlier than another process has moved it since. */
  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    const key = sessionKey(sessionId);
    await this.db
      .update(sessions)
      .set({ expiresAt: sql`max(${sessions.expiresAt}, ${expiresAt.getTime()})` })
      .where(eq(sessions.id, key));
    // A later end raises no version (migration 0011): the next lookup reads the renewed row.
    this.cache.delete(key);
  }

  /**
   * Deletes the session if, as stored when the delete runs, it is idle past its end or older than
   * `absoluteMs`: another process may have renewed it since it was read.
   */
  async deleteEndedSession(sessionId: string, now: number, absoluteMs: number): Promise<void> {
    const key = sessionKey(sessionId);
    await this.db
      .delete(sessions)
      .where(
        and(
          eq(sessions.id, key),
          or(lte(sessions.expiresAt, now), lte(sessions.createdAt, now - absoluteMs)),
        ),
      );
    this.cache.delete(key);
  }

  async deleteSession(sessionId: string): Promise<void> {
    const key = sessionKey(sessionId);
    await this.db.delete(sessions).where(eq(sessions.id, key));
    this.cache.delete(key);
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.userId, userId));
    this.cache.clear();
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.db.delete(sessions).where(lte(sessions.expiresAt, this.now()));
  }
}

function toDatabaseSession(row: typeof sessions.$inferSelect): DatabaseSession {
  return { id: row.id, userId: row.userId, expiresAt: new Date(row.expiresAt), attributes: {} };
}
