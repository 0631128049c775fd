// The large synthetic data set for benchmarks (`npm run seed:scale`): skewed accounts, a year or two of
// orders, requests and feedback, written through the real schema and its triggers in big multi-row INSERTs.
import { faker } from "@faker-js/faker";
import { createClient, type Client, type InValue, type Transaction } from "@libsql/client";
import { hashPassword } from "../../server/auth/password";
import type { AdminActor } from "../../server/actor";
import { createCategory, listCategories } from "../../server/services/admin";
import { createApiKey } from "../../server/services/api-keys";
import { createSite } from "../../server/services/sites";
import { defaultTargets } from "../../server/services/requests";
import { filePathOf, type Db } from "../client";
import { ORDERED_ALPHABET } from "../ids";
import { withRollupsRebuilt } from "../rollups";
import type { OrderStatus, Priority, RequestStatus } from "../schema";
import * as text from "./scale-text";

/** Every seeded user signs in with this password (one argon2 hash, computed once). */
export const SCALE_PASSWORD = "tengsl-scale";
/** The two-factor key of every seeded admin (base32), so a benchmark can compute their TOTP codes. */
export const SCALE_ADMIN_TOTP_KEY = "KRSW4Z3TNQWXGY3BNRSWC3LNNFXGS43UOJQXI33S";

export interface Counts {
  accounts: number;
  users: number;
  orders: number;
  requests: number;
  messages: number;
  feedback: number;
}

/** Scale 1: what issue 7 asks for. Items (~3 an order), shipments and events follow from the orders. */
export const fullCounts: Counts = {
  accounts: 100_000,
  users: 150_000,
  orders: 1_000_000,
  requests: 200_000,
  messages: 1_000_000,
  feedback: 2_000_000,
};

export interface ScaleOptions {
  scale?: number;
  /** Per-table counts; win over scale. */
  counts?: Partial<Counts>;
  seed?: number;
  now?: number;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  phase: string;
  /** Rows of the phase's main table written, and planned. */
  done: number;
  total: number;
  /** Rows written in all tables so far (children and trigger rows not included). */
  rows: number;
}

export interface ScaleResult {
  counts: Record<string, number>;
  /** Seconds each phase took (the requests phase includes the full-text index its triggers fill). */
  phases: Record<string, number>;
  bench: BenchInfo;
}

export interface BenchInfo {
  seed: number;
  password: string;
  bigAccount: { id: string; name: string; orders: number; customerEmail: string };
  agentEmail: string;
  admin: { email: string; totpSecret: string };
  site: { id: string; name: string; publicKey: string; allowedOrigins: string[] };
  apiKey: { id: string; key: string };
  /** Words for the inbox search, with how many requests (subject or messages) each finds. */
  searchTerms: { term: string; rows: number }[];
}

async function searchTermCounts(client: Client): Promise<BenchInfo["searchTerms"]> {
  const terms = ["delivery", "refund", "invoice", "endurgreiðslu", "warranty", "rennilásinn"];
  const counts = [];
  for (const term of terms) {
    const res = await client.execute({
      sql: `SELECT (SELECT count(*) FROM request_search_active WHERE request_search_active MATCH ?1)
              + (SELECT count(*) FROM request_search_done WHERE request_search_done MATCH ?1) AS n`,
      args: [`"${term}"*`],
    });
    counts.push({ term, rows: Number(res.rows[0]!.n) });
  }
  return counts;
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;

export function plannedCounts(scale: number, counts: Partial<Counts> = {}): Counts {
  const scaled = (n: number) => Math.max(1, Math.round(n * scale));
  const c: Counts = {
    accounts: counts.accounts ?? scaled(fullCounts.accounts),
    users: counts.users ?? scaled(fullCounts.users),
    orders: counts.orders ?? scaled(fullCounts.orders),
    requests: counts.requests ?? scaled(fullCounts.requests),
    messages: counts.messages ?? scaled(fullCounts.messages),
    feedback: counts.feedback ?? scaled(fullCounts.feedback),
  };
  // A business and a person at least, three staff, and a first message for every request.
  c.accounts = Math.max(2, c.accounts);
  c.users = Math.max(c.users, staffCount(c.users) + 2);
  c.messages = Math.max(c.messages, c.requests);
  return c;
}

/** A few dozen staff at full scale, three at the smallest. */
const staffCount = (users: number) => Math.max(3, Math.min(40, Math.round(users / 3750)));

/** Fast seeded PRNG (mulberry32); the whole data set follows from --seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const chance = (p: number) => next() < p;
  /** Pareto (heavy tail), at least 1. */
  const pareto = (alpha: number) => Math.pow(1 - next(), -1 / alpha);
  let made = 0;
  /**
   * The shape of db/ids newId (20 base64url characters): a 6-character running count, then 14 from the
   * seeded stream. Ids that grow as rows are made append to the primary-key and foreign-key indexes
   * instead of splitting pages all over them (orders phase 180 s → 78 s, bench/README.md), as the
   * app's own ids do by their time (docs/decisions/031). A count rather than the clock keeps `--seed`
   * reproducible; the app never relies on an id's order.
   */
  const id = () => {
    let s = "";
    for (let n = made++, i = 0; i < 6; i++, n = Math.floor(n / 64))
      s = ORDERED_ALPHABET[n % 64]! + s;
    for (let i = 0; i < 14; i++) s += ORDERED_ALPHABET[int(64)];
    return s;
  };
  return { next, int, pick, chance, pareto, id };
}
type Rng = ReturnType<typeof rng>;

/** Splits total into whole shares proportional to weights (largest remainders), each at least min. */
export function apportion(total: number, weights: Float64Array, min = 0): Int32Array {
  const n = weights.length;
  const out = new Int32Array(n).fill(min);
  const rest = total - min * n;
  if (rest <= 0 || n === 0) return out;
  let sum = 0;
  for (const w of weights) sum += w;
  let given = 0;
  const remainders = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const share = (weights[i]! / sum) * rest;
    const whole = Math.floor(share);
    out[i]! += whole;
    given += whole;
    remainders[i] = share - whole;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => remainders[b]! - remainders[a]!,
  );
  for (let k = 0; k < rest - given; k++) out[order[k % n]!]! += 1;
  return out;
}

/** Index i repeated counts[i] times, shuffled: who owns the k-th row in time order. */
function owners(counts: Int32Array, r: Rng): Int32Array {
  let total = 0;
  for (const c of counts) total += c;
  const out = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < counts.length; i++) for (let j = 0; j < counts[i]!; j++) out[k++] = i;
  for (let i = total - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * Times over the given weeks before now, sorted: a slow growth trend, a winter season, busy and quiet
 * weeks (lognormal noise), quiet weekends and nights.
 */
function times(count: number, weeks: number, now: number, r: Rng): Float64Array {
  const weights = new Float64Array(weeks);
  for (let w = 0; w < weeks; w++) {
    // Busiest in December: a yearly wave on the day of the year.
    const at = new Date(now - (weeks - 1 - w) * WEEK);
    const dayOfYear = (at.getTime() - Date.UTC(at.getUTCFullYear(), 0, 1)) / DAY;
    const season = 1 + 0.35 * Math.cos((2 * Math.PI * (dayOfYear - 350)) / 365);
    const noise = Math.exp((r.next() + r.next() + r.next() - 1.5) * 0.6);
    weights[w] = (0.6 + (0.4 * w) / weeks) * season * noise;
  }
  const cdf = new Float64Array(weeks);
  let acc = 0;
  for (let w = 0; w < weeks; w++) cdf[w] = acc += weights[w]!;
  const dayWeights = [1, 1.1, 1.05, 1, 0.95, 0.6, 0.5];
  const start = now - weeks * WEEK;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const x = r.next() * acc;
    let lo = 0;
    let hi = weeks - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    let day = r.int(7);
    if (r.next() > dayWeights[day]! / 1.1) day = r.int(5);
    // Daytime mostly: a triangle around 13:00.
    const hour = 7 + (r.next() + r.next()) * 8;
    out[i] = Math.min(now - 1, Math.floor(start + lo * WEEK + day * DAY + hour * 3_600_000));
  }
  return out.sort();
}

/** ASCII for emails: Þórður Jónsson → thordur.jonsson */
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/þ/g, "th")
    .replace(/ð/g, "d")
    .replace(/æ/g, "ae")
    .replace(/ö/g, "o")
    .normalize("NFD")
    .replace(/[^a-z0-9]+/g, "")
    .slice(0, 20);

/**
 * Buffers rows per table and writes each table's rows as multi-row INSERTs, many statements to a write
 * transaction. A child table's buffer flushes its parent's first, so foreign keys always find their row.
 */
const ROWS_PER_STATEMENT = 2_000;

class Writer {
  private tx: Transaction | null = null;
  private statements = 0;
  readonly written: Record<string, number> = {};
  private readonly sinks: Sink[] = [];
  constructor(private readonly client: Client) {}

  sink(table: string, columns: string[], parent?: Sink): Sink {
    const sink = new Sink(this, table, columns, parent);
    this.sinks.push(sink);
    this.written[table] = 0;
    return sink;
  }

  async run(sql: string, args: InValue[], table: string, rows: number): Promise<void> {
    this.tx ??= await this.client.transaction("write");
    await this.tx.execute({ sql, args });
    this.written[table]! += rows;
    // Commits every ~400k rows keep the WAL small; committing once per phase measured the same.
    if (++this.statements % 200 === 0) await this.commit();
  }

  async commit(): Promise<void> {
    if (!this.tx) return;
    const tx = this.tx;
    this.tx = null;
    await tx.commit();
  }

  async finish(): Promise<void> {
    for (const s of this.sinks) await s.flush();
    await this.commit();
  }
}

class Sink {
  private rows: InValue[][] = [];
  private readonly sql: string;
  constructor(
    private readonly writer: Writer,
    private readonly table: string,
    columns: string[],
    private readonly parent?: Sink,
  ) {
    // The rows travel as one JSON array per statement: measured here, binding thousands of parameters
    // and parsing a VALUES list that long cost more than SQLite reading the JSON. Triggers fire per row
    // as for any INSERT.
    const values = columns.map((_, i) => `value->>${i}`).join(",");
    this.sql = `INSERT INTO ${table} (${columns.join(",")}) SELECT ${values} FROM json_each(?)`;
  }

  async add(...values: InValue[]): Promise<void> {
    this.rows.push(values);
    if (this.rows.length >= ROWS_PER_STATEMENT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    if (this.parent) await this.parent.flush();
    const rows = this.rows;
    this.rows = [];
    await this.writer.run(this.sql, [JSON.stringify(rows)], this.table, rows.length);
  }
}

interface Person {
  id: string;
  account: number;
  name: string;
  first: string;
  email: string;
  locale: "en" | "is";
}

const orderPaths: Record<OrderStatus, OrderStatus[]> = {
  pending: ["pending"],
  processing: ["pending", "processing"],
  shipped: ["pending", "processing", "shipped"],
  delivered: ["pending", "processing", "shipped", "delivered"],
  cancelled: ["pending", "cancelled"],
  refunded: ["pending", "processing", "shipped", "delivered", "refunded"],
};

/** Refusals a person can act on (a database with data in it); the CLI prints them without a stack. */
export class ScaleSeedError extends Error {}

/** No accounts, users or sites: nothing a seed could collide with or a person could lose. */
export async function isEmptyForScale(db: Db): Promise<boolean> {
  const res = await db.$client.execute(
    "SELECT EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM sites) AS used",
  );
  return Number(res.rows[0]!.used) === 0;
}

/**
 * Fills an empty, migrated database (and refuses any other). The rows go through a client
 * of the seed's own with one connection, so its pragmas (no fsync, a 1 GB page cache) reach every
 * statement and end with it: `db`, the caller's, keeps its durable settings and is used for the few
 * things made through the services.
 */
export async function seedScale(
  db: Db,
  url: string,
  options: ScaleOptions = {},
): Promise<ScaleResult> {
  if (!(await isEmptyForScale(db))) {
    throw new ScaleSeedError(
      "The database already holds data: seed:scale fills only a fresh one (or pass --force to replace the file).",
    );
  }
  const bulk = createClient({ url, concurrency: 1, timeout: 5_000 });
  try {
    if (filePathOf(url)) {
      await bulk.execute("PRAGMA synchronous = OFF");
      await bulk.execute("PRAGMA cache_size = -1000000");
    }
    const result = await withRollupsRebuilt(bulk, () => fill(db, bulk, options));
    // The search index is built after the load, so the terms are counted after it.
    result.bench.searchTerms = await searchTermCounts(bulk);
    return result;
  } finally {
    bulk.close();
  }
}

async function fill(db: Db, bulk: Client, options: ScaleOptions): Promise<ScaleResult> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now();
  const c = plannedCounts(options.scale ?? 1, options.counts);
  const r = rng(seed);
  faker.seed(seed);
  const progress = options.onProgress ?? (() => {});
  const w = new Writer(bulk);
  const phases: Record<string, number> = {};
  let phaseStart = performance.now();
  const finishPhase = async (name: string) => {
    await w.finish();
    phases[name] = Number(((performance.now() - phaseStart) / 1000).toFixed(1));
    phaseStart = performance.now();
  };
  const report = (phase: string, done: number, total: number) =>
    progress({ phase, done, total, rows: Object.values(w.written).reduce((a, b) => a + b, 0) });

  // Pools from faker (English) and the Icelandic lists, picked from with the fast PRNG.
  const enFirst = Array.from({ length: 400 }, () => faker.person.firstName());
  const enLast = Array.from({ length: 400 }, () => faker.person.lastName());
  const enCompanies = Array.from({ length: 1000 }, () => faker.company.name());
  const enStreets = Array.from({ length: 300 }, () => faker.location.streetAddress());
  const enCities = Array.from({ length: 100 }, () => [
    faker.location.zipCode(),
    faker.location.city(),
  ]);
  const userAgents = Array.from({ length: 40 }, () => faker.internet.userAgent());
  const productNames = [
    ...text.isProducts,
    ...Array.from({ length: 280 }, () => faker.commerce.productName()),
  ];
  const products = productNames.map((name, i) => {
    const isk = (5 + r.int(180)) * 490 + 490;
    return {
      sku: `${slug(name).slice(0, 4).toUpperCase()}-${String(100 + i)}`,
      name,
      isk,
      eur: Math.round(isk / 1.5),
    };
  });
  const personName = (locale: "en" | "is") => {
    if (locale === "en") {
      const first = r.pick(enFirst);
      return { first, name: `${first} ${r.pick(enLast)}` };
    }
    const female = r.chance(0.5);
    const first = r.pick(female ? text.isFemaleNames : text.isMaleNames);
    return {
      first,
      name: `${first} ${r.pick(text.isFathersGenitive)}${female ? "dóttir" : "son"}`,
    };
  };
  const address = (name: string, locale: "en" | "is") => {
    if (locale === "en" && r.chance(0.5)) {
      const [postalCode, city] = r.pick(enCities);
      return JSON.stringify({ name, line1: r.pick(enStreets), postalCode, city, country: "GB" });
    }
    const [postalCode, city] = r.pick(text.isTowns);
    return JSON.stringify({
      name,
      line1: `${r.pick(text.isStreets)} ${1 + r.int(120)}`,
      postalCode,
      city,
      country: "IS",
    });
  };

  // --- Accounts: a few big businesses, many small ones, most of them persons. ---
  const businessCount = Math.max(1, Math.round(c.accounts * 0.08));
  const accountIds: string[] = [];
  const accountNames: string[] = [];
  const accountLocale: ("en" | "is")[] = [];
  const accounts = w.sink("accounts", ["id", "kind", "name", "external_id", "created_at"]);
  const accountStart = now - 3 * 365 * DAY;
  for (let i = 0; i < c.accounts; i++) {
    const business = i < businessCount;
    const locale = r.chance(0.7) ? "is" : "en";
    const name = business
      ? locale === "is"
        ? `${r.pick(text.isCompanyStems)}${r.pick(text.isCompanyEndings)} ${r.chance(0.85) ? "ehf." : "hf."}`
        : r.pick(enCompanies)
      : personName(locale).name;
    const id = r.id();
    accountIds.push(id);
    accountNames.push(name);
    accountLocale.push(locale);
    await accounts.add(
      id,
      business ? "business" : "person",
      name,
      `C-${100_000 + i}`,
      accountStart + r.int(2 * 365) * DAY,
    );
    if (i % 5000 === 0) report("accounts", i, c.accounts);
  }

  // --- Users: staff, then customers (persons one each, businesses Zipf-many contacts). ---
  const passwordHash = await hashPassword(SCALE_PASSWORD);
  const staff = staffCount(c.users);
  const admins = Math.max(1, Math.round(staff / 5));
  const customers = c.users - staff;
  const contactWeights = new Float64Array(c.accounts);
  for (let i = 0; i < c.accounts; i++) {
    // Businesses: Zipf by rank (the first is the biggest); persons: one each, if there are users enough.
    contactWeights[i] = i < businessCount ? 1 / Math.pow(i + 1, 0.9) : 0;
  }
  const perAccount =
    customers >= c.accounts
      ? (() => {
          const extra = apportion(customers - c.accounts, contactWeights);
          return extra.map((n) => n + 1);
        })()
      : apportion(customers, new Float64Array(c.accounts).fill(1));

  const users = w.sink(
    "users",
    [
      "id",
      "account_id",
      "email",
      "name",
      "password_hash",
      "role",
      "locale",
      "email_verified_at",
      "totp_secret",
      "totp_enabled_at",
      "created_at",
    ],
    accounts,
  );
  const contacts = w.sink(
    "contacts",
    ["id", "account_id", "email", "name", "is_admin", "source", "created_at"],
    accounts,
  );
  const staffPeople: Person[] = [];
  for (let i = 0; i < staff; i++) {
    const locale = r.chance(0.8) ? "is" : "en";
    const { first, name } = personName(locale);
    const role = i < admins ? "admin" : "agent";
    const email = `${slug(first)}.${role}${i + 1}@staff.example.com`;
    const id = r.id();
    staffPeople.push({ id, account: -1, name, first, email, locale });
    await users.add(
      id,
      null,
      email,
      name,
      passwordHash,
      role,
      locale,
      accountStart,
      role === "admin" ? SCALE_ADMIN_TOTP_KEY : null,
      role === "admin" ? accountStart : null,
      accountStart,
    );
  }
  const agents = staffPeople.slice(admins);
  const people: Person[] = [];
  const peopleOf: number[][] = Array.from({ length: c.accounts }, () => []);
  let n = 0;
  for (let a = 0; a < c.accounts; a++) {
    const business = a < businessCount;
    const domain = business
      ? `${slug(accountNames[a]!).slice(0, 14) || "company"}${a}.example.com`
      : "example.net";
    for (let k = 0; k < perAccount[a]!; k++) {
      const locale = business ? (r.chance(0.8) ? accountLocale[a]! : "en") : accountLocale[a]!;
      const p =
        business || k > 0
          ? personName(locale)
          : { first: accountNames[a]!.split(" ")[0]!, name: accountNames[a]! };
      const email = `${slug(p.first)}.${slug(p.name.split(" ").at(-1)!)}.${n}@${domain}`;
      const id = r.id();
      const created = accountStart + r.int(3 * 365) * DAY;
      people.push({ id, account: a, name: p.name, first: p.first, email, locale });
      peopleOf[a]!.push(people.length - 1);
      await users.add(
        id,
        accountIds[a]!,
        email,
        p.name,
        passwordHash,
        "customer",
        r.chance(0.15) ? null : locale,
        created,
        null,
        null,
        created,
      );
      await contacts.add(r.id(), accountIds[a]!, email, p.name, k === 0 ? 1 : 0, "ingest", created);
      if (++n % 5000 === 0) report("users", n, customers);
    }
  }
  await finishPhase("accounts and users");

  // --- Orders over two years: the big business account about 5 %, then a heavy tail. ---
  const orderWeights = new Float64Array(c.accounts);
  for (let a = 0; a < c.accounts; a++) {
    orderWeights[a] = a < businessCount ? 6 * r.pareto(1.1) : r.pareto(1.6) - 0.6;
  }
  const big = Math.round(c.orders * 0.05);
  // No other account gets more than half the big one's orders (the heavy tail would sometimes).
  let weightSum = 0;
  for (let a = 1; a < c.accounts; a++) weightSum += orderWeights[a]!;
  const cap = ((0.5 * big) / Math.max(1, c.orders - big)) * weightSum;
  for (let a = 1; a < c.accounts; a++) orderWeights[a] = Math.min(orderWeights[a]!, cap);
  const ordersPer = new Int32Array(c.accounts);
  ordersPer[0] = big;
  ordersPer.set(apportion(c.orders - big, orderWeights.subarray(1)), 1);
  // At tiny scales the tail may reach 5 % too: orders move to the big account until it is strictly the
  // biggest, so the benchmark's pick stays true (the total stays as planned).
  for (let a = 1; a < c.accounts; a++) {
    while (ordersPer[a]! >= ordersPer[0]) {
      ordersPer[a]! -= 1;
      ordersPer[0] += 1;
    }
  }
  const orderOwner = owners(ordersPer, r);
  const orderTimes = times(orderOwner.length, 104, now, r);
  const orderIds: string[] = new Array<string>(orderOwner.length);
  const ordersOf: number[][] = Array.from({ length: c.accounts }, () => []);
  const orders = w.sink("orders", [
    "id",
    "account_id",
    "external_id",
    "number",
    "status",
    "currency",
    "subtotal",
    "shipping",
    "tax",
    "discount",
    "total",
    "item_count",
    "placed_at",
    "placed_by_email",
    "placed_by_name",
    "shipping_address",
    "billing_address",
    "source_updated_at",
    "created_at",
    "updated_at",
  ]);
  const items = w.sink(
    "order_items",
    ["id", "order_id", "position", "sku", "name", "quantity", "unit_price", "line_total"],
    orders,
  );
  const shipments = w.sink(
    "shipments",
    [
      "id",
      "order_id",
      "position",
      "carrier",
      "tracking_number",
      "status",
      "shipped_at",
      "delivered_at",
    ],
    orders,
  );
  const events = w.sink("order_events", ["id", "order_id", "status", "at"], orders);
  for (let i = 0; i < orderOwner.length; i++) {
    const a = orderOwner[i]!;
    const placedAt = orderTimes[i]!;
    const age = now - placedAt;
    const status: OrderStatus =
      age < 2 * DAY
        ? r.pick(["pending", "processing", "processing", "shipped"] as const)
        : age < 10 * DAY
          ? r.pick([
              "processing",
              "shipped",
              "shipped",
              "delivered",
              "delivered",
              "cancelled",
            ] as const)
          : r.chance(0.9)
            ? "delivered"
            : r.pick(["cancelled", "refunded", "refunded"] as const);
    const currency = accountLocale[a] === "en" && r.chance(0.6) ? "EUR" : "ISK";
    const lines = 1 + Math.min(7, Math.floor(r.pareto(2.2) * r.next() * 3));
    const id = r.id();
    orderIds[i] = id;
    ordersOf[a]!.push(i);
    let subtotal = 0;
    // The order's row goes in before its lines (their foreign key), but its totals follow from them.
    const lineRows: InValue[][] = [];
    for (let pos = 0; pos < lines; pos++) {
      const p = r.pick(products);
      const quantity = r.chance(0.75) ? 1 : 2 + r.int(3);
      const unit = currency === "EUR" ? p.eur : p.isk;
      subtotal += unit * quantity;
      lineRows.push([r.id(), id, pos, p.sku, p.name, quantity, unit, unit * quantity]);
    }
    const shipping = currency === "EUR" ? 1_500 : subtotal > 20_000 ? 0 : 1_490;
    const discount = r.chance(0.1) ? Math.round(subtotal / 10) : 0;
    const total = subtotal + shipping - discount;
    const placer = peopleOf[a]!.length ? people[r.pick(peopleOf[a]!)]! : null;
    const placerName = placer?.name ?? accountNames[a]!;
    const path = orderPaths[status];
    const step = Math.min(DAY * (0.5 + r.next()), age / (path.length + 1));
    const updatedAt = Math.floor(placedAt + (path.length - 1) * step);
    const shipTo = address(placerName, accountLocale[a]!);
    await orders.add(
      id,
      accountIds[a]!,
      `SCALE-${i + 1}`,
      String(100_000 + i),
      status,
      currency,
      subtotal,
      shipping,
      Math.round((total * 24) / 124),
      discount,
      total,
      lines,
      placedAt,
      placer?.email ?? null,
      placerName,
      shipTo,
      a < businessCount ? shipTo : null,
      updatedAt,
      placedAt,
      updatedAt,
    );
    for (const row of lineRows) await items.add(...row);
    for (let s = 0; s < path.length; s++)
      await events.add(r.id(), id, path[s]!, Math.floor(placedAt + s * step));
    const shippedStep = path.indexOf("shipped");
    if (shippedStep >= 0) {
      const carrier = r.pick(text.carriers);
      const parcels = r.chance(0.1) ? 2 : 1;
      for (let s = 0; s < parcels; s++) {
        const delivered = status !== "shipped";
        await shipments.add(
          r.id(),
          id,
          s,
          carrier,
          `${carrier.slice(0, 2).toUpperCase()}${100_000_000 + r.int(899_999_999)}IS`,
          delivered
            ? status === "refunded" && s === 0
              ? "returned"
              : "delivered"
            : r.chance(0.3)
              ? "out_for_delivery"
              : "in_transit",
          Math.floor(placedAt + shippedStep * step),
          delivered ? Math.floor(placedAt + (shippedStep + 1) * step) : null,
        );
      }
    }
    if (i % 5000 === 0) report("orders", i, orderOwner.length);
  }
  await finishPhase("orders");

  // --- Support: categories and sites through the services, the admin who makes them. ---
  const admin: AdminActor = {
    userId: staffPeople[0]!.id,
    role: "admin",
    accountId: null,
    email: staffPeople[0]!.email,
  };
  for (const [nameEn, nameIs] of [
    ["Orders and delivery", "Pantanir og afhending"],
    ["Returns and refunds", "Skil og endurgreiðslur"],
    ["Invoices and payment", "Reikningar og greiðslur"],
    ["Products", "Vörur"],
    ["My account", "Aðgangurinn minn"],
  ] as const) {
    await createCategory(db, admin, { nameEn, nameIs });
  }
  const categoryIds = (await listCategories(db)).map((row) => row.id);
  // Topics map onto the categories above, in order (damaged goods and warranty count as returns).
  const topicCategory = [0, 1, 2, 3, 1, 4, 1];

  // --- Requests: who asks follows the orders (plus one, so customers without orders ask too). ---
  const requestWeights = new Float64Array(c.accounts);
  for (let a = 0; a < c.accounts; a++)
    requestWeights[a] = peopleOf[a]!.length ? ordersPer[a]! + 1 : 0;
  const requestOwner = owners(apportion(c.requests, requestWeights), r);
  const requestTimes = times(requestOwner.length, 104, now, r);
  const messageWeights = new Float64Array(requestOwner.length);
  for (let i = 0; i < messageWeights.length; i++)
    messageWeights[i] = Math.exp((r.next() + r.next() - 1) * 1.6);
  const messagesPer = apportion(c.messages, messageWeights, 1);
  const topicCdf: number[] = [];
  let topicSum = 0;
  for (const t of text.topics) topicCdf.push((topicSum += t.weight));
  const requestIds: string[] = new Array<string>(requestOwner.length);
  const resolvedRequests: number[] = [];
  const requests = w.sink("requests", [
    "id",
    "number",
    "account_id",
    "requester_id",
    "requester_name",
    "requester_email",
    "order_id",
    "subject",
    "category_id",
    "status",
    "priority",
    "assignee_id",
    "channel",
    "first_response_due_at",
    "first_responded_at",
    "resolved_at",
    "last_activity_at",
    "created_at",
  ]);
  const messages = w.sink(
    "request_messages",
    ["id", "request_id", "author_id", "author_name", "from_staff", "kind", "body", "created_at"],
    requests,
  );
  const fill = (template: string, slots: { p: string; o: string; n: string; c: string }) =>
    template.replace(/\{([poncd])\}/g, (_, k: string) =>
      k === "d" ? String(2 + r.int(12)) : slots[k as "p" | "o" | "n" | "c"],
    );
  for (let i = 0; i < requestOwner.length; i++) {
    const a = requestOwner[i]!;
    const requester = people[r.pick(peopleOf[a]!)]!;
    const lang = requester.locale;
    const x = r.next() * topicSum;
    const topicIndex = topicCdf.findIndex((edge) => x < edge);
    const topic = text.topics[topicIndex]![lang];
    const myOrders = ordersOf[a]!;
    const orderIndex = myOrders.length && r.chance(0.5) ? r.pick(myOrders) : -1;
    const slots = {
      p: r.pick(productNames),
      o: orderIndex >= 0 ? `#${100_000 + orderIndex}` : `#${100_000 + r.int(orderIds.length)}`,
      n: requester.first,
      c: r.pick(text.carriers),
    };
    const createdAt = requestTimes[i]!;
    const age = now - createdAt;
    const count = messagesPer[i]!;
    const status: RequestStatus =
      age > 21 * DAY
        ? r.chance(0.7)
          ? "closed"
          : "resolved"
        : count === 1
          ? "open"
          : r.pick(["open", "pending", "pending", "resolved"] as const);
    const priority: Priority = r.pick([
      "normal",
      "normal",
      "normal",
      "normal",
      "high",
      "high",
      "low",
      "urgent",
    ] as const);
    const assignee =
      status === "open" && r.chance(0.4) ? null : r.pick(agents.length ? agents : staffPeople);
    const id = r.id();
    requestIds[i] = id;
    // Messages spread from the opening to now at most, staff and customer in turn, some internal notes.
    const span = Math.min(age * 0.9, (status === "open" || status === "pending" ? 5 : 3) * DAY);
    let at = createdAt;
    let firstResponse: number | null = null;
    // The request's row goes in before its messages (their foreign key), but its times follow from them.
    const thread: InValue[][] = [];
    for (let m = 0; m < count; m++) {
      const fromStaff = m > 0 && m % 2 === 1;
      const note = fromStaff && r.chance(0.2);
      const author = fromStaff ? (assignee ?? r.pick(staffPeople)) : requester;
      let body: string;
      if (!fromStaff) {
        const g = r.pick(text.greetings[lang]);
        const closing = r.pick(text.closings[lang]);
        body = [g, fill(r.pick(topic.customer), slots), closing].filter(Boolean).join(" ");
      } else body = fill(r.pick(note ? topic.notes : topic.staff), slots);
      if (fromStaff && !note && firstResponse === null) firstResponse = at;
      thread.push([
        r.id(),
        id,
        author.id,
        author.name,
        fromStaff ? 1 : 0,
        note ? "note" : "public",
        body,
        at,
      ]);
      at = Math.min(now - 1, Math.floor(at + (span / count) * (0.5 + r.next())));
    }
    const resolvedAt = status === "resolved" || status === "closed" ? at : null;
    if (resolvedAt) resolvedRequests.push(i);
    const channel = r.pick(["portal", "portal", "portal", "widget", "widget", "email"] as const);
    await requests.add(
      id,
      1000 + i,
      accountIds[a]!,
      requester.id,
      requester.name,
      requester.email,
      orderIndex >= 0 ? orderIds[orderIndex]! : null,
      fill(r.pick(topic.subjects), slots),
      categoryIds[topicCategory[topicIndex]!] ?? null,
      status,
      priority,
      assignee?.id ?? null,
      channel,
      Math.floor(createdAt + defaultTargets[priority] * 60_000),
      firstResponse,
      resolvedAt,
      at,
      createdAt,
    );
    for (const row of thread) await messages.add(...row);
    if (i % 2000 === 0) report("requests", i, requestOwner.length);
  }
  await finishPhase("requests");

  // --- Feedback over a year on three sites and the portal (CSAT after requests). ---
  const siteDefs = [
    {
      name: "Vefverslun",
      origins: ["http://localhost:4322", "http://127.0.0.1:4322"],
      share: 0.6,
      paths: ["/", "/vorur", "/karfa", "/products", "/checkout"],
    },
    {
      name: "Hjálparsíður",
      origins: ["https://help.example.com"],
      share: 0.25,
      paths: ["/", "/skil", "/sendingar", "/returns", "/shipping", "/faq"],
    },
    {
      name: "Blogg",
      origins: ["https://blog.example.com"],
      share: 0.15,
      paths: ["/", "/greinar/ull", "/posts/hiking", "/posts/packing-list"],
    },
  ];
  const siteIds: string[] = [];
  for (const s of siteDefs) {
    siteIds.push(
      await createSite(db, admin, {
        name: s.name,
        allowedOrigins: s.origins,
        allowAnonymous: true,
        color: "#0f5b66",
        position: "right",
      }),
    );
  }
  const feedbackTimes = times(c.feedback, 52, now, r);
  const feedbackRows = w.sink("feedback", [
    "id",
    "kind",
    "score",
    "comment",
    "user_id",
    "account_id",
    "request_id",
    "locale",
    "site_id",
    "page_url",
    "page_title",
    "product_ref",
    "user_agent",
    "idempotency_key",
    "created_at",
  ]);
  const comment = (lang: "en" | "is", mood: "good" | "mid" | "bad") =>
    r.pick(text.feedbackComments[lang][mood]).replace("{p}", r.pick(productNames));
  for (let i = 0; i < c.feedback; i++) {
    const createdAt = feedbackTimes[i]!;
    // One in twenty-five is a CSAT answer in the portal after a resolved request.
    if (resolvedRequests.length && r.chance(0.04)) {
      const q = r.pick(resolvedRequests);
      const person = people[peopleOf[requestOwner[q]!]![0]!]!;
      const score = r.chance(0.75) ? 4 + r.int(2) : 1 + r.int(3);
      await feedbackRows.add(
        r.id(),
        "csat",
        score,
        r.chance(0.2) ? comment(person.locale, score >= 4 ? "good" : "bad") : null,
        person.id,
        accountIds[person.account]!,
        requestIds[q]!,
        person.locale,
        null,
        null,
        null,
        null,
        null,
        null,
        createdAt,
      );
      continue;
    }
    const x = r.next();
    const site = x < siteDefs[0]!.share ? 0 : x < siteDefs[0]!.share + siteDefs[1]!.share ? 1 : 2;
    const def = siteDefs[site]!;
    const who = people.length && r.chance(0.3) ? r.pick(people) : null;
    const lang = who?.locale ?? (r.chance(0.65) ? "is" : "en");
    const kindRoll = r.next();
    const kind =
      kindRoll < 0.3 ? "nps" : kindRoll < 0.45 ? "csat" : kindRoll < 0.8 ? "rating" : "comment";
    const score =
      kind === "nps"
        ? r.chance(0.55)
          ? 9 + r.int(2)
          : r.chance(0.55)
            ? 7 + r.int(2)
            : r.int(7)
        : kind === "comment"
          ? null
          : r.chance(0.7)
            ? 4 + r.int(2)
            : 1 + r.int(3);
    const mood =
      score === null
        ? r.pick(["good", "mid", "bad"] as const)
        : (kind === "nps" ? score >= 9 : score >= 4)
          ? "good"
          : (kind === "nps" ? score >= 7 : score === 3)
            ? "mid"
            : "bad";
    const productIndex = r.int(products.length);
    const onProduct = site === 0 && r.chance(0.5);
    const path = onProduct
      ? `/vorur/${products[productIndex]!.sku.toLowerCase()}`
      : r.pick(def.paths);
    await feedbackRows.add(
      r.id(),
      kind,
      score,
      kind === "comment" || r.chance(0.15) ? comment(lang, mood) : null,
      who?.id ?? null,
      who ? accountIds[who.account]! : null,
      null,
      lang,
      siteIds[site]!,
      `${def.origins[0]}${path}`,
      onProduct ? products[productIndex]!.name : def.name,
      onProduct ? products[productIndex]!.sku : null,
      r.pick(userAgents),
      r.id(),
      createdAt,
    );
    if (i % 10_000 === 0) report("feedback", i, c.feedback);
  }
  await finishPhase("feedback");
  report("feedback", c.feedback, c.feedback);

  // --- What the benchmark needs. The API key goes through the real service, hashed like any other. ---
  const apiKey = await createApiKey(db, admin, "Benchmark (seed:scale)");
  const site = await db.$client.execute({
    sql: "SELECT public_key FROM sites WHERE id = ?",
    args: [siteIds[0]!],
  });
  const bigCustomer = people[peopleOf[0]![0]!]!;
  const counts: Record<string, number> = { ...w.written };
  return {
    counts,
    phases,
    bench: {
      seed,
      password: SCALE_PASSWORD,
      bigAccount: {
        id: accountIds[0]!,
        name: accountNames[0]!,
        orders: ordersPer[0],
        customerEmail: bigCustomer.email,
      },
      agentEmail: (agents[0] ?? staffPeople[0]!).email,
      admin: { email: staffPeople[0]!.email, totpSecret: SCALE_ADMIN_TOTP_KEY },
      site: {
        id: siteIds[0]!,
        name: siteDefs[0]!.name,
        publicKey: site.rows[0]!.public_key as string,
        allowedOrigins: siteDefs[0]!.origins,
      },
      apiKey,
      searchTerms: [],
    },
  };
}
