// The staff side of support requests: the inbox (views, filters, full-text search, sorting, keyset
// pages, counts), the whole thread with internal notes, replies and notes, changes to status, priority,
// category and assignee with their history, and the customer around the request.
import { and, asc, desc, eq, inArray, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../db/client";
import { param, perShape, prepareRows } from "../../db/prepared";
import { requestSearchActive, requestSearchDone } from "../../db/search";
import {
  accounts,
  cannedReplies,
  categories,
  channels,
  contacts,
  feedback,
  orders,
  priorities,
  requestChanges,
  requestCounts,
  requests,
  requestStatuses,
  users,
  type RequestStatus,
} from "../../db/schema";
import type { StaffActor } from "../actor";
import { DomainError, notFound } from "../errors";
import { publishEvent } from "../events/live";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";
import { attachmentsInput } from "./attachments";
import { recordAudit, type AuditEntry } from "./audit";
import { afterCursor, decodeCursor, encodeCursor } from "./cursor";
import {
  addMessage,
  recordChange,
  targetMinutes,
  threadOf,
  withFiles,
  actorName,
  messageText,
  type FileEnv,
} from "./requests";

export const inboxViews = ["mine", "unassigned", "open", "pending", "resolved"] as const;
export type InboxView = (typeof inboxViews)[number];

export const inboxInput = z.object({
  view: z.enum(inboxViews).default("open"),
  status: z.enum(requestStatuses).optional(),
  priority: z.enum(priorities).optional(),
  categoryId: z.string().max(64).optional(),
  assigneeId: z.string().max(64).optional(),
  channel: z.enum(channels).optional(),
  q: z.string().trim().max(200, { error: "validation.searchTooLong" }).optional(),
  sort: z.enum(["due", "activity"]).default("activity"),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type InboxInput = z.output<typeof inboxInput>;

/**
 * The partial indexes' own conditions (db/schema/requests.ts), literal SQL rather than parameters, so
 * that SQLite matches them and each view walks its index in sort order.
 */
const activeRequest = sql`${requests.status} in ('open', 'pending')`;
const doneRequest = sql`${requests.status} in ('resolved', 'closed')`;

function viewCondition(view: InboxView): SQL {
  switch (view) {
    case "mine":
      return and(eq(requests.assigneeId, param("me")), activeRequest)!;
    case "unassigned":
      return and(isNull(requests.assigneeId), activeRequest)!;
    case "open":
      return activeRequest;
    case "pending":
      return and(activeRequest, eq(requests.status, "pending"))!;
    case "resolved":
      return doneRequest;
  }
}

/** Words as FTS5 prefix terms, quoted, so that no search text is read as query syntax. */
export function ftsQuery(q: string): string | null {
  const words = q.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length
    ? words
        .slice(0, 10)
        .map((w) => `"${w}"*`)
        .join(" ")
    : null;
}

export async function listInbox(db: Db, actor: StaffActor, input: InboxInput) {
  const match = input.q ? ftsQuery(input.q) : null;
  if (input.q && !match) return { items: [], nextCursor: null };
  // "#1042" or "1042" also finds request number 1042.
  const number = /^#?(\d{1,9})$/.exec(input.q?.trim() ?? "")?.[1];
  const byDue = input.sort === "due";
  const search: InboxShape["search"] = !match
    ? "none"
    : !byDue && !number
      ? "inIndexOrder"
      : number
        ? "setOrNumber"
        : "set";
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const query = inboxPage({
    view: input.view,
    status: input.status !== undefined,
    priority: input.priority !== undefined,
    category: input.categoryId !== undefined,
    assignee: input.assigneeId !== undefined,
    channel: input.channel !== undefined,
    search,
    byDue,
    cursor: after !== null,
  });
  const rows = await query.all(db, {
    me: actor.userId,
    status: input.status,
    priority: input.priority,
    categoryId: input.categoryId,
    assigneeId: input.assigneeId,
    channel: input.channel,
    match,
    number: number === undefined ? undefined : Number(number),
    at: after?.at,
    afterId: after?.id,
    limit: input.limit + 1,
  });
  // Each item written out (not `{ searchKey: _, ...r }`: object rest cost more than the rest of the
  // mapping together on a page of 25).
  const items = rows.slice(0, input.limit).map((r) => ({
    id: r.id,
    number: r.number,
    subject: r.subject,
    status: r.status,
    priority: r.priority,
    channel: r.channel,
    requesterName: r.requesterName,
    accountName: r.accountName,
    assigneeName: r.assigneeName,
    firstResponseDueAt: r.firstResponseDueAt,
    firstRespondedAt: r.firstRespondedAt,
    lastActivityAt: r.lastActivityAt,
    overdue: isOverdue(r),
  }));
  const last = rows[input.limit - 1];
  const at = (r: (typeof rows)[number]) =>
    search === "inIndexOrder" ? r.searchKey! : byDue ? r.firstResponseDueAt : r.lastActivityAt;
  return {
    items,
    nextCursor:
      rows.length > input.limit && last ? encodeCursor({ at: at(last), id: last.id }) : null,
  };
}

interface InboxShape {
  view: InboxView;
  status: boolean;
  priority: boolean;
  category: boolean;
  assignee: boolean;
  channel: boolean;
  /**
   * "inIndexOrder": by latest activity, the view's full-text index walked newest first, so the page stops
   * after its rows however many requests match (its rowids rise with every activity; the cursor is the
   * rowid). "set", "setOrNumber" (by due time, or a request number): the matches as a set, then the view's
   * index.
   */
  search: "none" | "inIndexOrder" | "set" | "setOrNumber";
  byDue: boolean;
  cursor: boolean;
}

/** The inbox's query for each view and combination of filters, with the values as placeholders. */
const inboxPage = perShape((shape: InboxShape) =>
  prepareRows((on) => {
    // Each view searches the index of its own status class (db/search.ts).
    const index = shape.view === "resolved" ? requestSearchDone : requestSearchActive;
    const matches = sql`${index} match ${param("match")}`;
    const found = inArray(
      requests.searchKey,
      on.select({ key: index.rowid }).from(index).where(matches),
    );
    const key = shape.byDue ? requests.firstResponseDueAt : requests.lastActivityAt;
    const inIndexOrder = shape.search === "inIndexOrder";
    const where = and(
      viewCondition(shape.view),
      shape.status ? eq(requests.status, param("status")) : undefined,
      shape.priority ? eq(requests.priority, param("priority")) : undefined,
      shape.category ? eq(requests.categoryId, param("categoryId")) : undefined,
      shape.assignee ? eq(requests.assigneeId, param("assigneeId")) : undefined,
      shape.channel ? eq(requests.channel, param("channel")) : undefined,
      inIndexOrder ? matches : undefined,
      shape.search === "set" ? found : undefined,
      shape.search === "setOrNumber" ? or(eq(requests.number, param("number")), found) : undefined,
      shape.cursor && inIndexOrder ? lt(index.rowid, param("at")) : undefined,
      shape.cursor && !inIndexOrder
        ? afterCursor(
            key,
            requests.id,
            { at: param("at"), id: param("afterId") },
            shape.byDue ? "asc" : "desc",
          )
        : undefined,
    );
    const assignee = sql<
      string | null
    >`(select ${users.name} from ${users} where ${users.id} = ${requests.assigneeId})`.mapWith(
      users.name,
    );
    const columns = {
      id: requests.id,
      number: requests.number,
      subject: requests.subject,
      status: requests.status,
      priority: requests.priority,
      channel: requests.channel,
      requesterName: requests.requesterName,
      accountName: accounts.name,
      assigneeName: assignee,
      firstResponseDueAt: requests.firstResponseDueAt,
      firstRespondedAt: requests.firstRespondedAt,
      lastActivityAt: requests.lastActivityAt,
      searchKey: requests.searchKey,
    };
    const from = inIndexOrder
      ? on.select(columns).from(index).innerJoin(requests, eq(requests.searchKey, index.rowid))
      : on.select(columns).from(requests);
    return from
      .innerJoin(accounts, eq(accounts.id, requests.accountId))
      .where(where)
      .orderBy(
        ...(inIndexOrder
          ? [desc(index.rowid)]
          : shape.byDue
            ? [asc(key), asc(requests.id)]
            : [desc(key), desc(requests.id)]),
      )
      .limit(param("limit"));
  }),
);

export const isOverdue = (
  r: { firstRespondedAt: number | null; firstResponseDueAt: number; status: RequestStatus },
  now = Date.now(),
) =>
  r.firstRespondedAt === null &&
  (r.status === "open" || r.status === "pending") &&
  now > r.firstResponseDueAt;

/**
 * How many requests each view holds, for the inbox's side menu: from request_counts (one row per status
 * and assignee, kept by triggers), not a count of every request.
 */
export async function inboxCounts(db: Db, actor: StaffActor): Promise<Record<InboxView, number>> {
  const rows = await db.select().from(requestCounts);
  const counts = { mine: 0, unassigned: 0, open: 0, pending: 0, resolved: 0 };
  for (const { status, assigneeId, n } of rows) {
    if (status === "open" || status === "pending") {
      counts.open += n;
      if (status === "pending") counts.pending += n;
      if (assigneeId === "") counts.unassigned += n;
      if (assigneeId === actor.userId) counts.mine += n;
    } else if (status === "resolved" || status === "closed") counts.resolved += n;
  }
  return counts;
}

async function staffRequest(db: Db, id: string) {
  const [row] = await db.select().from(requests).where(eq(requests.id, id));
  if (!row) throw notFound();
  return row;
}

/** The request view: the whole thread (notes set apart), its history, and the customer around it. */
export async function getRequestForStaff(db: Db, _actor: StaffActor, id: string) {
  const request = await staffRequest(db, id);
  const [messages, history, account, people, recentOrders, otherRequests, rating, order, staff] =
    await Promise.all([
      threadOf(db, id, true),
      db
        .select({
          actorName: requestChanges.actorName,
          field: requestChanges.field,
          fromValue: requestChanges.fromValue,
          toValue: requestChanges.toValue,
          at: requestChanges.at,
        })
        .from(requestChanges)
        .where(eq(requestChanges.requestId, id))
        .orderBy(asc(requestChanges.at)),
      db
        .select({ id: accounts.id, name: accounts.name, kind: accounts.kind })
        .from(accounts)
        .where(eq(accounts.id, request.accountId))
        .then((r) => r[0]!),
      db
        .select({ name: contacts.name, email: contacts.email })
        .from(contacts)
        .where(eq(contacts.accountId, request.accountId))
        .orderBy(asc(contacts.name)),
      db
        .select({
          id: orders.id,
          number: orders.number,
          status: orders.status,
          total: orders.total,
          currency: orders.currency,
          placedAt: orders.placedAt,
        })
        .from(orders)
        .where(eq(orders.accountId, request.accountId))
        .orderBy(desc(orders.placedAt))
        .limit(5),
      db
        .select({
          id: requests.id,
          number: requests.number,
          subject: requests.subject,
          status: requests.status,
        })
        .from(requests)
        .where(and(eq(requests.accountId, request.accountId), ne(requests.id, id)))
        .orderBy(desc(requests.lastActivityAt))
        .limit(5),
      db
        .select({ score: feedback.score, comment: feedback.comment, createdAt: feedback.createdAt })
        .from(feedback)
        .where(and(eq(feedback.requestId, id), eq(feedback.kind, "csat")))
        .then((r) => r[0] ?? null),
      request.orderId
        ? db
            .select({ id: orders.id, number: orders.number })
            .from(orders)
            .where(eq(orders.id, request.orderId))
            .then((r) => r[0] ?? null)
        : null,
      listStaff(db),
    ]);
  return {
    ...request,
    overdue: isOverdue(request),
    messages,
    history,
    account,
    contacts: people,
    recentOrders,
    otherRequests,
    rating,
    order,
    staff,
  };
}

/** Active staff, for the assignee menu. */
export function listStaff(db: Db) {
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(inArray(users.role, ["agent", "admin"]), isNull(users.deactivatedAt)))
    .orderBy(asc(users.name));
}

export const staffReplyInput = z.object({
  id: z.string().min(1).max(64),
  kind: z.enum(["public", "note"]),
  message: messageText,
  /** What the request becomes after a public reply; a note leaves it as it is. */
  status: z.enum(requestStatuses).optional(),
  attachments: attachmentsInput,
});

/** A public reply (mailed to the customer) or an internal note (seen by staff only). */
export async function staffReply(
  db: Db,
  actor: StaffActor,
  input: z.output<typeof staffReplyInput>,
  env: FileEnv,
) {
  return withFiles(env, input.attachments, (files) =>
    db.transaction(async (tx) => {
      const [request] = await tx.select().from(requests).where(eq(requests.id, input.id));
      if (!request) throw notFound();
      const me = await actorName(tx, actor);
      await addMessage(
        tx,
        request,
        { id: me.id, name: me.name, fromStaff: true },
        input.kind,
        input.message,
        files,
      );
      const now = Date.now();
      if (input.kind === "note") {
        await tx.update(requests).set({ lastActivityAt: now }).where(eq(requests.id, request.id));
        await recordAudit(tx, actor, auditOf(request, "request.noted"));
        return;
      }
      const status = input.status ?? "pending";
      const changes =
        status === request.status ? {} : { status: { from: request.status, to: status } };
      await recordAudit(tx, actor, auditOf(request, "request.replied", changes));
      await tx
        .update(requests)
        .set({
          status,
          lastActivityAt: now,
          firstRespondedAt: request.firstRespondedAt ?? now,
          resolvedAt:
            status === "resolved" || status === "closed" ? (request.resolvedAt ?? now) : null,
          assigneeId: request.assigneeId ?? me.id,
        })
        .where(eq(requests.id, request.id));
      if (status !== request.status)
        await recordChange(tx, request.id, me, "status", request.status, status);
      if (!request.assigneeId) await recordChange(tx, request.id, me, "assignee", null, me.name);
      await mailRequester(
        tx,
        request,
        status === "resolved" ? "resolved" : "staffReply",
        env.publicUrl,
        input.message,
      );
    }),
  );
}

async function mailRequester(
  tx: Parameters<Parameters<Db["transaction"]>[0]>[0],
  request: typeof requests.$inferSelect,
  kind: "staffReply" | "resolved",
  publicUrl: URL,
  quote?: string,
) {
  if (!request.requesterEmail) return;
  const [requester] = request.requesterId
    ? await tx
        .select({ locale: users.locale, email: users.email })
        .from(users)
        .where(eq(users.id, request.requesterId))
    : [];
  const url = new URL(`/requests/${request.id}`, publicUrl).href;
  await enqueueMail(
    tx,
    renderMail(kind, requester?.locale ?? "en", requester?.email ?? request.requesterEmail, {
      name: request.requesterName,
      url,
      number: String(request.number),
      subject: request.subject,
      ...(quote ? { quote } : {}),
    }),
  );
}

export const updateRequestInput = z.object({
  id: z.string().min(1).max(64),
  status: z.enum(requestStatuses).optional(),
  priority: z.enum(priorities).optional(),
  categoryId: z.string().max(64).nullable().optional(),
  assigneeId: z.string().max(64).nullable().optional(),
});

/** Changes status, priority, category or assignee; each change goes into the history. */
export async function updateRequest(
  db: Db,
  actor: StaffActor,
  input: z.output<typeof updateRequestInput>,
  publicUrl: URL,
) {
  await db.transaction(async (tx) => {
    const [request] = await tx.select().from(requests).where(eq(requests.id, input.id));
    if (!request) throw notFound();
    const me = await actorName(tx, actor);
    const now = Date.now();
    const changes: Partial<typeof requests.$inferInsert> = {};
    const audited: Record<string, { from: string | null; to: string | null }> = {};

    if (input.status && input.status !== request.status) {
      changes.status = input.status;
      changes.resolvedAt =
        input.status === "resolved" || input.status === "closed"
          ? (request.resolvedAt ?? now)
          : null;
      await recordChange(tx, request.id, me, "status", request.status, input.status);
      audited.status = { from: request.status, to: input.status };
    }
    if (input.priority && input.priority !== request.priority) {
      changes.priority = input.priority;
      if (request.firstRespondedAt === null)
        changes.firstResponseDueAt =
          request.createdAt + (await targetMinutes(tx, input.priority)) * 60_000;
      await recordChange(tx, request.id, me, "priority", request.priority, input.priority);
      audited.priority = { from: request.priority, to: input.priority };
    }
    if (input.categoryId !== undefined && input.categoryId !== request.categoryId) {
      const to = input.categoryId ? await categoryName(tx, input.categoryId) : null;
      if (input.categoryId && to === null)
        throw new DomainError("BAD_REQUEST", "requests.categoryUnknown", "categoryId");
      const from = request.categoryId ? await categoryName(tx, request.categoryId) : null;
      changes.categoryId = input.categoryId;
      await recordChange(tx, request.id, me, "category", from, to);
      audited.category = { from, to };
    }
    if (input.assigneeId !== undefined && input.assigneeId !== request.assigneeId) {
      const to = input.assigneeId ? await staffName(tx, input.assigneeId, true) : null;
      if (input.assigneeId && to === null)
        throw new DomainError("BAD_REQUEST", "requests.assigneeUnknown", "assigneeId");
      const from = request.assigneeId ? await staffName(tx, request.assigneeId, false) : null;
      changes.assigneeId = input.assigneeId;
      await recordChange(tx, request.id, me, "assignee", from, to);
      audited.assignee = { from, to };
    }
    if (Object.keys(changes).length === 0) return;
    await tx
      .update(requests)
      .set({ ...changes, lastActivityAt: now })
      .where(eq(requests.id, request.id));
    await recordAudit(tx, actor, auditOf(request, "request.updated", audited));
    await publishEvent(tx, {
      requestId: request.id,
      accountId: request.accountId,
      public: changes.status !== undefined,
    });
    if (changes.status === "resolved") await mailRequester(tx, request, "resolved", publicUrl);
  });
}

/** A staff action on a request, for the audit log: its number and what changed, never the message. */
const auditOf = (
  request: typeof requests.$inferSelect,
  action: "request.replied" | "request.noted" | "request.updated",
  changes: Record<string, unknown> = {},
): AuditEntry => ({
  action,
  subject: { type: "request", id: request.id },
  accountId: request.accountId,
  detail: { number: request.number, changes },
});

async function categoryName(tx: Tx, id: string): Promise<string | null> {
  const [row] = await tx
    .select({ name: categories.nameEn })
    .from(categories)
    .where(eq(categories.id, id));
  return row?.name ?? null;
}

/** A staff member's name; `activeOnly` for someone who may take new work. */
async function staffName(tx: Tx, id: string, activeOnly: boolean): Promise<string | null> {
  const [row] = await tx
    .select({ name: users.name })
    .from(users)
    .where(
      and(
        eq(users.id, id),
        inArray(users.role, ["agent", "admin"]),
        activeOnly ? isNull(users.deactivatedAt) : undefined,
      ),
    );
  return row?.name ?? null;
}

/** Canned replies with their placeholders filled for this request. */
export async function cannedRepliesFor(db: Db, actor: StaffActor, requestId: string) {
  const request = await staffRequest(db, requestId);
  const me = await actorName(db, actor);
  const order = request.orderId
    ? (
        await db
          .select({ number: orders.number })
          .from(orders)
          .where(eq(orders.id, request.orderId))
      )[0]
    : undefined;
  const values: Record<string, string> = {
    "customer.name": request.requesterName,
    "customer.firstName": request.requesterName.split(" ")[0] ?? request.requesterName,
    "order.number": order?.number ?? "",
    "request.number": String(request.number),
    "agent.name": me.name,
  };
  const replies = await db
    .select({ id: cannedReplies.id, title: cannedReplies.title, body: cannedReplies.body })
    .from(cannedReplies)
    .orderBy(asc(cannedReplies.title));
  return replies.map((r) => ({ ...r, body: fillPlaceholders(r.body, values) }));
}

export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, key: string) => values[key] ?? m);
}

/** Live updates for the staff: one request, or every request for the inbox. */
export async function liveFilterForStaff(db: Db, requestId: string | undefined) {
  if (!requestId) return () => true;
  const request = await staffRequest(db, requestId);
  return (e: { requestId: string }) => e.requestId === request.id;
}
