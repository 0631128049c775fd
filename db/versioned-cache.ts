// Rows that every request of a kind reads (a signed-in request its session and user, a widget call its
// site and blocks), kept in memory per process, so that such a request costs no statement for them. Kept
// exact by a version per name (db/schema/versions.ts) that triggers raise with every change to the rows
// it covers, whoever makes it (migration 0011):
// - after each commit this process makes, the next lookup reads the version first, so a change made
//   here (a sign-out, a deactivation, a site switched off, a block) holds for the very next request;
// - a change made by another process (another worker, a script) is seen at the next reading of the
//   version, at most `checkEveryMs` later. docs/decisions/032 weighs that window.
// Every use kept under one name shares one reading of its version. Only where the client reports every
// commit (a database file): with a libSQL server, every lookup reads.
// Should a trigger or the version's row be missing (a table rebuilt by a later migration drops its
// triggers), nothing is kept: every lookup reads, as before.
import { performance } from "node:perf_hooks";
import { readValue, watchCommits, type Db } from "./client";
import type { CacheVersionName } from "./schema";

/** How long a process trusts the version it last read, when it has committed nothing since. */
export const CHECK_EVERY_MS = 250;
/** Entries kept at most per use; the longest unused is dropped first. */
const MAX_ENTRIES = 10_000;
/** The triggers of migrations 0011 and 0012 for each name, each of which keeping relies on. */
const triggers: Record<CacheVersionName, string[]> = {
  sessions: ["users_update", "users_delete", "sessions_delete", "sessions_update"],
  sites: ["insert", "update", "delete"].flatMap((op) => [`sites_${op}`, `widget_blocks_${op}`]),
  "api keys": ["insert", "update", "delete"].map((op) => `api_keys_${op}`),
};

/**
 * The name's version, or undefined when its row or any of its triggers is missing, with the schema's
 * version it was read at. The triggers are counted in the same reading whenever the schema has changed
 * since `schemaSeen` (the schema version at which they were last all found), so that a table rebuilt
 * under running processes (which drops its triggers, and raises the schema version) stops the keeping at
 * the next reading. Counting them every time cost more than the rest of the reading: after each commit,
 * a scan of the whole schema.
 */
async function readVersion(
  db: Db,
  name: CacheVersionName,
  schemaSeen: number | undefined,
): Promise<{ version: number; schema: number } | undefined> {
  const names = triggers[name].map((t) => `cache_versions_${t}`);
  const read = await readValue(
    db,
    `select json_array(v.version, s.schema_version, case when s.schema_version = ? then null else (select count(*) from sqlite_master where type = 'trigger' and name in (${names.map(() => "?").join(", ")})) end)
     from cache_versions v, pragma_schema_version s where v.name = ?`,
    [schemaSeen ?? -1, ...names, name],
  );
  if (typeof read !== "string") return undefined;
  const [version, schema, triggersFound] = JSON.parse(read) as [number, number, number | null];
  if (triggersFound !== null && triggersFound !== names.length) return undefined;
  return { version, schema };
}

/**
 * Every name's version and the schema's, as each group of writes leaves them: read in the group's
 * transaction, under its write lock, so nothing comes between the reading and the commit, and after a
 * commit of ours no lookup reads the version again (docs/decisions/034).
 */
const AT_COMMIT = `select json_object('schema', (select schema_version from pragma_schema_version),
  'versions', (select json_group_object(name, version) from cache_versions))`;

/**
 * A name's version as this process last read it, shared by every use kept under the name, so that a
 * commit costs one reading of the version per name, not one per use.
 */
class Version {
  /** The version read; undefined: none stands, and nothing is kept. */
  value: unknown = undefined;
  /** Raised whenever the value moves (or cannot be read): entries kept under another generation go. */
  generation = 0;
  /** When the value was last read (performance.now()); -Infinity: read it before trusting anything. */
  #checkedAt = -Infinity;
  /** Commits this process has made: one made while the version was being read makes that reading old. */
  #commits = 0;
  /** The schema's version when the triggers were last all found; undefined: count them next time. */
  #schemaSeen: number | undefined = undefined;

  constructor(
    private readonly db: Db,
    private readonly name: CacheVersionName,
    private readonly checkEveryMs: number,
  ) {}

  /**
   * This process has just committed something: take the version as the commit left it (`reading`, see
   * AT_COMMIT), or read it again before the next lookup where that is not known (a statement that ran
   * alone, a schema changed since the triggers were counted).
   */
  readonly committed = (reading?: unknown, readAt?: number) => {
    this.#commits++;
    this.#checkedAt = -Infinity;
    if (typeof reading !== "string") return;
    const { schema, versions } = JSON.parse(reading) as {
      schema: number;
      versions: Partial<Record<CacheVersionName, number>>;
    };
    const value = versions[this.name];
    if (value === undefined || schema !== this.#schemaSeen || readAt === undefined) return;
    if (value !== this.value) {
      this.value = value;
      this.generation++;
    }
    this.#checkedAt = readAt;
  };

  /** The generation now, having read the version if it is due. */
  current(): Promise<number> | number {
    const now = performance.now();
    if (now - this.#checkedAt < this.checkEveryMs) return this.generation;
    // Lookups that find the version due together share one reading, unless a commit of ours came
    // between (a reading begun before it is too old for a lookup begun after) or it began longer ago
    // than a reading is trusted.
    const shared = this.#reading;
    if (shared?.commits === this.#commits && now - shared.startedAt < this.checkEveryMs)
      return shared.generation;
    const reading = { commits: this.#commits, startedAt: now, generation: this.#read(now) };
    this.#reading = reading;
    return reading.generation;
  }

  /** The reading under way: the commits this process had made and the time when it began. */
  #reading: { commits: number; startedAt: number; generation: Promise<number> } | null = null;

  async #read(now: number): Promise<number> {
    const commits = this.#commits;
    // A version that cannot be read keeps nothing; the lookups themselves then read as before.
    const read = await readVersion(this.db, this.name, this.#schemaSeen).catch(() => undefined);
    this.#schemaSeen = read?.schema;
    const value = read?.version;
    if (value === undefined || value !== this.value) {
      this.value = value;
      this.generation++;
    }
    // One read across a commit of ours is read again next time.
    if (value !== undefined && commits === this.#commits) this.#checkedAt = now;
    return this.generation;
  }
}

export class VersionedCache<T> {
  readonly #entries = new Map<string, T>();
  /** The version's generation the entries were read under. */
  #generation = -1;
  /** Raised by `clear`, so a read begun before it is not kept after it. */
  #clears = 0;

  private constructor(
    /** Null where commits cannot be watched (a libSQL server): then nothing is kept. */
    private readonly version: Version | null,
  ) {}

  /**
   * The value kept for `key`, else what `load` reads, and keeps it. A null is something missing: kept
   * only with `keepMisses`, so that made-up keys cannot fill memory. `fresh`: read even when something
   * is kept, and keep what is read.
   */
  async read(
    key: string,
    load: () => Promise<T>,
    { keepMisses = false, fresh = false }: { keepMisses?: boolean; fresh?: boolean } = {},
  ): Promise<T> {
    const version = this.version;
    if (!version) return load();
    if (!fresh) {
      this.#follow(await version.current());
      const kept = this.#entries.get(key);
      if (kept !== undefined) {
        // Most recently used last: the oldest key is the one MAX_ENTRIES drops.
        this.#entries.delete(key);
        this.#entries.set(key, kept);
        return kept;
      }
    }
    const [generation, clears] = [version.generation, this.#clears];
    const value = await load();
    // Whatever was kept for the key is older than what was just read.
    this.#entries.delete(key);
    // Unless the version moved or the entries were cleared since the read began (it may be older than
    // that), or no version stands.
    if (
      (value !== null || keepMisses) &&
      generation === version.generation &&
      clears === this.#clears &&
      version.value !== undefined
    ) {
      this.#follow(generation);
      if (this.#entries.size >= MAX_ENTRIES)
        this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(key, value);
    }
    return value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every entry (this process has just changed many of them). */
  clear(): void {
    this.#entries.clear();
    this.#clears++;
  }

  /** Drops the entries read under an older generation of the version. */
  #follow(generation: number) {
    if (generation === this.#generation) return;
    this.#entries.clear();
    this.#generation = generation;
  }

  static #versions = new WeakMap<Db, Map<CacheVersionName, Version | null>>();
  static #caches = new WeakMap<Db, Map<string, VersionedCache<unknown>>>();

  /**
   * The database's one cache for `use` (what it keeps; every user of it in the process shares it),
   * dropped whenever `name`'s version moves; where commits cannot be watched (a libSQL server), one that
   * keeps nothing. `checkEveryMs` counts where the name is first used: tests lengthen it to see the cache.
   */
  static of<T>(
    db: Db,
    name: CacheVersionName,
    use: string,
    { checkEveryMs = CHECK_EVERY_MS } = {},
  ): VersionedCache<T> {
    let caches = VersionedCache.#caches.get(db);
    const known = caches?.get(`${name}/${use}`);
    if (known) return known as VersionedCache<T>;
    let versions = VersionedCache.#versions.get(db);
    if (!versions)
      VersionedCache.#versions.set(db, (versions = new Map<CacheVersionName, Version | null>()));
    let version = versions.get(name);
    if (version === undefined) {
      const made = new Version(db, name, checkEveryMs);
      version = watchCommits(db, made.committed, AT_COMMIT) ? made : null;
      versions.set(name, version);
    }
    const cache = new VersionedCache<T>(version);
    if (!caches)
      VersionedCache.#caches.set(db, (caches = new Map<string, VersionedCache<unknown>>()));
    caches.set(`${name}/${use}`, cache);
    return cache;
  }
}
