// Lucia's storage adapter over our Drizzle tables. Written here rather than taken from
// @lucia-auth/adapter-drizzle so that times stay epoch milliseconds (the house rule), a session and its
// user come back in one joined query, and the password hash is never read (docs/decisions/003).
import type { Adapter, DatabaseSession, DatabaseUser } from "lucia";
import { eq, lte } from "drizzle-orm";
import type { Db } from "../../db/client";
import { sessions, users } from "../../db/schema";

const sessionUserColumns = {
  id: users.id,
  accountId: users.accountId,
  email: users.email,
  name: users.name,
  role: users.role,
  locale: users.locale,
  emailVerifiedAt: users.emailVerifiedAt,
};

export class SessionAdapter implements Adapter {
  constructor(private readonly db: Db) {}

  async getSessionAndUser(
    sessionId: string,
  ): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const [row] = await this.db
      .select({ session: sessions, user: sessionUserColumns })
      .from(sessions)
      .innerJoin(users, eq(sessions.userId, users.id))
      .where(eq(sessions.id, sessionId));
    if (!row) return [null, null];
    const { id, ...attributes } = row.user;
    return [toDatabaseSession(row.session), { id, attributes }];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db.select().from(sessions).where(eq(sessions.userId, userId));
    return rows.map(toDatabaseSession);
  }

  async setSession(session: DatabaseSession): Promise<void> {
    await this.db.insert(sessions).values({
      id: session.id,
      userId: session.userId,
      expiresAt: session.expiresAt.getTime(),
      createdAt: Date.now(),
    });
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    await this.db
      .update(sessions)
      .set({ expiresAt: expiresAt.getTime() })
      .where(eq(sessions.id, sessionId));
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.id, sessionId));
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.userId, userId));
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.db.delete(sessions).where(lte(sessions.expiresAt, Date.now()));
  }
}

function toDatabaseSession(row: typeof sessions.$inferSelect): DatabaseSession {
  return { id: row.id, userId: row.userId, expiresAt: new Date(row.expiresAt), attributes: {} };
}
