// The sessions this process has checked, so a signed-in request need not read its session and user again
// (one statement, about a sixth of a signed-in API call's server time under load). Kept exact by a version
// that triggers raise with every change that could end a session or change its user (migration 0011):
// - after each commit this process makes, the next lookup reads the version first, so a sign-out,
//   deactivation or role change made here holds for the very next request;
// - a change made by another process (another worker, a script) is seen at the next reading of the
//   version, at most `checkEveryMs` later. docs/decisions/032 weighs that window.
// Only where the client reports every commit (a database file): with a libSQL server, every lookup reads.
// Should the triggers or the version's row be missing (a table rebuilt by a later migration drops its
// triggers), nothing is kept: every lookup reads, as before.
import { performance } from "node:perf_hooks";
import { readValue, watchCommits, type Db } from "../../db/client";

/** How long a process trusts the version it last read, when it has committed nothing since. */
export const CHECK_EVERY_MS = 250;
/** Sessions kept at most; the longest unused is dropped first. */
const MAX_ENTRIES = 10_000;
/** Migration 0011's triggers, each of which keeping sessions relies on. */
const VERSION_TRIGGERS = [
  "auth_version_users_update",
  "auth_version_users_delete",
  "auth_version_sessions_delete",
  "auth_version_sessions_update",
];

const readVersion = (db: Db) => readValue(db, "select version from auth_version where id = 1", []);
const triggersInPlace = async (db: Db) =>
  Number(
    await readValue(
      db,
      `select count(*) from sqlite_master where type = 'trigger' and name in (${VERSION_TRIGGERS.map(() => "?").join(", ")})`,
      VERSION_TRIGGERS,
    ),
  ) === VERSION_TRIGGERS.length;

export class SessionCache<T> {
  readonly #entries = new Map<string, T>();
  /** The version the entries were read under; undefined: none stands, and nothing is kept. */
  #version: unknown = undefined;
  /** When the version was last read (performance.now()); -Infinity: read it before trusting anything. */
  #checkedAt = -Infinity;
  /** Commits this process has made: one made while the version was being read makes that reading old. */
  #commits = 0;
  /** Raised whenever the entries are dropped, so a read begun before that is not kept after it. */
  #generation = 0;
  /** Whether the triggers are there (checked once); until then, and if not, nothing is kept. */
  #usable: Promise<boolean> | null = null;

  private constructor(
    private readonly db: Db,
    private readonly checkEveryMs: number,
  ) {}

  /** Read the version again before the next lookup (this process has just committed something). */
  readonly #committed = () => {
    this.#commits++;
    this.#checkedAt = -Infinity;
  };

  /** The value kept for `key` (undefined when none), having dropped everything if the version moved. */
  async get(key: string): Promise<T | undefined> {
    const now = performance.now();
    if (now - this.#checkedAt >= this.checkEveryMs) {
      const commits = this.#commits;
      this.#usable ??= triggersInPlace(this.db).catch(() => false);
      const version = (await this.#usable) ? await readVersion(this.db) : undefined;
      // A version that is missing keeps nothing; one read across a commit of ours is read again next time.
      if (version === undefined || version !== this.#version) this.#forgetAll(version);
      if (version !== undefined && commits === this.#commits) this.#checkedAt = now;
    }
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Most recently used last: the oldest key is the one MAX_ENTRIES drops.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** The generation to hand back to `set` with what a read begun now finds. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Keeps `value` unless the entries were dropped since `generation` (the read may be older than that)
   * or no version stands.
   */
  set(key: string, value: T, generation: number): void {
    if (generation !== this.#generation || this.#version === undefined) return;
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, value);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every entry, whatever the version says (this process has ended many sessions at once). */
  clear(): void {
    this.#forgetAll(this.#version);
  }

  #forgetAll(version: unknown) {
    this.#entries.clear();
    this.#version = version;
    this.#generation++;
  }

  static #ofDb = new WeakMap<Db, SessionCache<unknown>>();

  /**
   * The database's one cache (every Auth over it shares it), or null where commits cannot be watched.
   * `checkEveryMs` counts where the cache is made, the first time: tests lengthen it to see the cache.
   */
  static of<T>(db: Db, { checkEveryMs = CHECK_EVERY_MS } = {}): SessionCache<T> | null {
    const known = SessionCache.#ofDb.get(db);
    if (known) return known as SessionCache<T>;
    const cache = new SessionCache<T>(db, checkEveryMs);
    if (!watchCommits(db, cache.#committed)) return null;
    SessionCache.#ofDb.set(db, cache);
    return cache;
  }
}
