// What the widget may do on a company's page: read its site's look, send feedback (rating, NPS, comment)
// and open a request. Every call names its site by public key and must come from one of the site's
// origins; identities are trusted only with a valid userHash; each submission is stored once however
// often it is retried.
import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../db/client";
import { newId } from "../../db/ids";
import { insertWhere, param, prepareRows, prepareWrite } from "../../db/prepared";
import { accounts, feedback, locales, requests, sites, users, type SiteRow } from "../../db/schema";
import { VersionedCache } from "../../db/versioned-cache";
import { DomainError } from "../errors";
import { countedTogether, countedWrite, hit, withinLimit, type Limit } from "./rate-limit";
import { isUniqueViolation, normalizeEmail } from "./accounts";
import { insertRequest, noFiles } from "./requests";

export const siteKeyInput = z.object({ site: z.string().min(8).max(64) });

const context = {
  site: z.string().min(8).max(64),
  idempotencyKey: z
    .string()
    .min(16)
    .max(64)
    .regex(/^[\w-]+$/),
  pageUrl: z.string().max(2000).optional(),
  pageTitle: z.string().max(300).optional(),
  product: z.string().max(100).optional(),
  locale: z.enum(locales).default("en"),
  userAgent: z.string().max(200).optional(),
  identity: z
    .object({
      userId: z.string().min(1).max(100),
      email: z.string().max(254).optional(),
      name: z.string().max(100).optional(),
      userHash: z.string().max(128),
    })
    .optional(),
  /** Hidden from people; a bot that fills it is answered as if accepted and stored nowhere. */
  website: z.string().max(500).optional(),
};

export const feedbackInput = z
  .object({
    ...context,
    kind: z.enum(["rating", "nps", "comment"]),
    score: z.number().int().min(0).max(10).optional(),
    comment: z.string().trim().max(2000, { error: "widget.commentTooLong" }).optional(),
  })
  .superRefine(scoreRule);
export type FeedbackInput = z.output<typeof feedbackInput>;

/** A rating is 1–5, NPS 0–10, and a comment needs words: the same for the widget and the portal. */
export function scoreRule(
  v: {
    kind: "rating" | "nps" | "comment";
    score?: number | undefined;
    comment?: string | undefined;
  },
  ctx: z.RefinementCtx,
) {
  const ok =
    v.kind === "comment"
      ? !!v.comment
      : v.kind === "rating"
        ? v.score !== undefined && v.score >= 1 && v.score <= 5
        : v.score !== undefined;
  if (!ok) ctx.addIssue({ code: "custom", path: ["score"], message: "widget.scoreRequired" });
}

export const widgetRequestInput = z.object({
  ...context,
  name: z.string().trim().max(100).optional(),
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ error: "validation.emailInvalid" }))
    .optional(),
  subject: z
    .string()
    .trim()
    .min(1, { error: "requests.subjectRequired" })
    .max(200, { error: "requests.subjectTooLong" }),
  message: z
    .string()
    .trim()
    .min(1, { error: "requests.messageRequired" })
    .max(5000, { error: "requests.messageTooLong" }),
});

/** Every widget request reads its site, so the query is built once. */
const siteByKey = prepareRows((on) =>
  on
    .select()
    .from(sites)
    .where(eq(sites.publicKey, param("key"))),
);

/** The site a key names, if the request comes from one of its origins, whether on or off. */
async function siteOfKey(db: Db, publicKey: string, origin: string | undefined): Promise<SiteRow> {
  // Kept per process while no site changes (db/versioned-cache.ts).
  const site = await VersionedCache.of<SiteRow | null>(db, "sites", "site by key").read(
    publicKey,
    async () => (await siteByKey.all(db, { key: publicKey }))[0] ?? null,
  );
  if (!site) throw new DomainError("NOT_FOUND", "widget.unknownSite");
  if (!origin || !site.allowedOrigins.includes(origin))
    throw new DomainError("FORBIDDEN", "widget.originNotAllowed");
  return site;
}

/** The site a key names, if the request comes from one of its origins and an admin has not switched it off. */
export async function siteFor(
  db: Db,
  publicKey: string,
  origin: string | undefined,
): Promise<SiteRow> {
  const site = await siteOfKey(db, publicKey, origin);
  if (site.disabledAt !== null) throw new DomainError("FORBIDDEN", "widget.siteDisabled");
  return site;
}

/**
 * Whether the loader should draw the launcher. Answered with 200 either way, so a switched-off site
 * costs the host page no failed request in its console; every other call of an off site gets 403.
 */
export async function siteStatus(db: Db, publicKey: string, origin: string | undefined) {
  const site = await siteOfKey(db, publicKey, origin);
  return { on: site.disabledAt === null };
}

export const publicConfig = (site: SiteRow) => ({
  name: site.name,
  color: site.color,
  position: site.position,
  allowAnonymous: site.allowAnonymous,
});

/**
 * Whether `userHash` is HMAC-SHA256(secret, userId) in hex. Compared in constant time, so the answer's
 * timing tells nothing about how much of a guess was right; a hash of another length never matches.
 */
export function identityHashMatches(secret: string, userId: string, userHash: string): boolean {
  const expected = Buffer.from(createHmac("sha256", secret).update(userId).digest("hex"));
  const given = Buffer.from(userHash.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The visitor id to check against blocks: only a signed one, so no one can be blamed by a forged claim. */
export function signedVisitor(site: SiteRow, identity: z.output<typeof feedbackInput>["identity"]) {
  return identity && identityHashMatches(site.identitySecret, identity.userId, identity.userHash)
    ? identity.userId
    : null;
}

/** The account a signed identity names (the company's customer id, as in the ingest API), or null. */
async function verifiedAccount(
  tx: Db | Tx,
  site: SiteRow,
  identity: z.output<typeof feedbackInput>["identity"],
) {
  if (!identity) return null;
  if (!identityHashMatches(site.identitySecret, identity.userId, identity.userHash))
    throw new DomainError("UNAUTHORIZED", "widget.identityRefused");
  const [account] = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.externalId, identity.userId));
  let userId: string | null = null;
  if (account && identity.email) {
    const [user] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.email, normalizeEmail(identity.email)), eq(users.accountId, account.id)));
    userId = user?.id ?? null;
  }
  return account ? { accountId: account.id, userId } : { accountId: null, userId: null };
}

function refuseAnonymous(site: SiteRow, who: unknown) {
  if (!who && !site.allowAnonymous) throw new DomainError("FORBIDDEN", "widget.signInRequired");
}

/** Where a submission is counted: the sender's key and the limit (per IP and site). */
export interface Quota {
  key: string;
  limit: Limit;
}

/**
 * Runs a submission's writes in one transaction with its count against the sender's quota (one commit).
 * A refused one (over the limit, a forged identity, an anonymous one the site refuses) is still counted.
 */
async function counted<T>(db: Db, quota: Quota, write: (tx: Tx) => Promise<T>): Promise<T> {
  const outcome = await countedWrite(db, quota.key, quota.limit, write);
  if (outcome.allowed) return outcome.value;
  throw tooMany(outcome.retryAfterMs);
}

const tooMany = (retryAfterMs: number) =>
  new DomainError("TOO_MANY_REQUESTS", "widget.tooMany", undefined, Math.ceil(retryAfterMs / 1000));

/**
 * A submission's row (built once: the widget's busiest write), stored only while the sender is within
 * the quota counted in the same batch.
 */
const insertFeedback = prepareWrite((on) =>
  insertWhere(
    on,
    feedback,
    ["requestId", "orderId", "followedUpAt", "followedUpBy", "followUpRequestId"],
    withinLimit(),
  )
    // A retry after a lost answer: stored once already.
    .onConflictDoNothing({ target: feedback.idempotencyKey }),
);

/**
 * Stores a rating, NPS answer or comment once per idempotency key. The identity is checked first, with
 * reads; the count and the row then go as one batch, which on a database file commits off the event loop
 * (the widget's busiest door, docs/decisions/034).
 */
export async function submitFeedback(
  db: Db,
  site: SiteRow,
  input: z.output<typeof feedbackInput>,
  quota: Quota,
) {
  if (input.website) return { ok: true as const };
  let who: Awaited<ReturnType<typeof verifiedAccount>>;
  try {
    who = await verifiedAccount(db, site, input.identity);
    refuseAnonymous(site, input.identity);
  } catch (refusal) {
    // A refused submission is counted too (one statement, off the event loop); over the limit, the
    // sender hears that instead. Should the count fail, the refusal is still what the sender hears.
    const count = await hit(db, quota.key, quota.limit).catch(() => null);
    throw count && !count.allowed ? tooMany(count.retryAfterMs) : refusal;
  }
  const outcome = await countedTogether(db, quota.key, quota.limit, insertFeedback, {
    id: newId(),
    kind: input.kind,
    score: input.kind === "comment" ? null : (input.score ?? null),
    comment: input.comment || null,
    userId: who?.userId ?? null,
    accountId: who?.accountId ?? null,
    locale: input.locale,
    siteId: site.id,
    pageUrl: input.pageUrl ?? null,
    pageTitle: input.pageTitle ?? null,
    productRef: input.product ?? null,
    userAgent: input.userAgent ?? null,
    idempotencyKey: input.idempotencyKey,
    createdAt: Date.now(),
  });
  if (!outcome.allowed) throw tooMany(outcome.retryAfterMs);
  return { ok: true as const };
}

/** Opens a request in the staff inbox (channel widget) once per idempotency key. */
export async function openWidgetRequest(
  db: Db,
  site: SiteRow,
  input: z.output<typeof widgetRequestInput>,
  quota: Quota,
) {
  if (input.website) return { ok: true as const, number: 0 };
  try {
    return await counted(db, quota, async (tx) => {
      const who = await verifiedAccount(tx, site, input.identity);
      refuseAnonymous(site, input.identity);
      const email = input.email
        ? normalizeEmail(input.email)
        : input.identity?.email
          ? normalizeEmail(input.identity.email)
          : null;
      if (!email) throw new DomainError("BAD_REQUEST", "widget.emailRequired", "email");
      const name = input.name || input.identity?.name || email;
      const accountId = who?.accountId ?? (await visitorAccount(tx, name));
      const context = [input.pageTitle, input.pageUrl, input.product && `#${input.product}`]
        .filter(Boolean)
        .join(" · ");
      const { number } = await insertRequest(
        tx,
        {
          accountId,
          requesterId: who?.userId ?? null,
          requesterName: name,
          requesterEmail: email,
          subject: input.subject,
          channel: "widget",
          idempotencyKey: input.idempotencyKey,
        },
        { id: who?.userId ?? null, name },
        context ? `${input.message}\n\n— ${context}` : input.message,
        noFiles,
      );
      return { ok: true as const, number };
    });
  } catch (error) {
    if (isUniqueViolation(error, "requests.idempotency_key")) {
      const [row] = await db
        .select({ number: requests.number })
        .from(requests)
        .where(eq(requests.idempotencyKey, input.idempotencyKey));
      return { ok: true as const, number: row?.number ?? 0 };
    }
    throw error;
  }
}

/**
 * The account of a request from a visitor the company's server did not sign: a new person account of its
 * own, never the account that lists the email. Anyone can type anyone's address into a widget, so an
 * unsigned email must not put a request (and its links) into another customer's portal or history.
 * Staff still see the address on the request and answer it by mail.
 */
async function visitorAccount(tx: Tx, name: string): Promise<string> {
  const id = newId();
  await tx.insert(accounts).values({ id, kind: "person", name, createdAt: Date.now() });
  return id;
}
