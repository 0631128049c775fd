// The sessions this process has checked, so a signed-in request need not read its session and user again
// (one statement, about a sixth of a signed-in API call's server time under load). Kept exact by a version
// that triggers raise with every change that could end a session or change its user (migration 0011):
// - after each commit this process makes, the next lookup reads the version first, so a sign-out,
//   deactivation or role change made here holds for the very next request;
// - a change made by another process (another worker, a script) is seen at the next reading of the
//   version, at most CHECK_EVERY_MS later. docs/decisions/032 weighs that window.
// Only where the client reports every commit (a database file): with a libSQL server, every lookup reads.
import { performance } from "node:perf_hooks";
import { readValue, watchCommits, type Db } from "../../db/client";

/** How long a process trusts the version it last read, when it has written nothing since. */
export const CHECK_EVERY_MS = 250;
/** Sessions kept at most; the longest unused is dropped first. */
const MAX_ENTRIES = 10_000;

const readVersion = (db: Db) => readValue(db, "select version from auth_version where id = 1", []);

export class SessionCache<T> {
  readonly #entries = new Map<string, T>();
  #version: unknown = undefined;
  /** When the version was last read (performance.now()); -Infinity: read it before trusting anything. */
  #checkedAt = -Infinity;
  /** Raised whenever the entries are dropped, so a read begun before that is not kept after it. */
  #generation = 0;

  constructor(private readonly db: Db) {}

  /** Read the version again before the next lookup (this process has just committed something). */
  readonly #recheck = () => {
    this.#checkedAt = -Infinity;
  };

  /** The value kept for `key` (undefined when none), having dropped everything if the version moved. */
  async get(key: string): Promise<T | undefined> {
    const now = performance.now();
    if (now - this.#checkedAt >= CHECK_EVERY_MS) {
      const version = await readVersion(this.db);
      this.#checkedAt = now;
      if (version !== this.#version) this.#forgetAll(version);
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

  /** Keeps `value` unless the entries were dropped since `generation` (the read may be older than that). */
  set(key: string, value: T, generation: number): void {
    if (generation !== this.#generation) return;
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, value);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #forgetAll(version: unknown) {
    this.#entries.clear();
    this.#version = version;
    this.#generation++;
  }

  static #ofDb = new WeakMap<Db, SessionCache<unknown>>();

  /** The database's one cache (every Auth over it shares it), or null where commits cannot be watched. */
  static of<T>(db: Db): SessionCache<T> | null {
    const known = SessionCache.#ofDb.get(db);
    if (known) return known as SessionCache<T>;
    const cache = new SessionCache<T>(db);
    if (!watchCommits(db, cache.#recheck)) return null;
    SessionCache.#ofDb.set(db, cache);
    return cache;
  }
}
