// Support requests as customers see them: open one (about an order, with files), follow the public
// conversation, reply, mark it solved, reopen it within 14 days, and rate the help. Every read and write
// is scoped to the caller's account; internal notes never leave the staff side.
import { and, asc, desc, eq, inArray, isNull, max, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../db/client";
import { newId } from "../../db/ids";
import {
  attachments,
  categories,
  feedback,
  orders,
  requestChanges,
  requestMessages,
  requests,
  requestStatuses,
  responseTargets,
  users,
  type Priority,
  type RequestStatus,
} from "../../db/schema";
import type { Actor, CustomerActor } from "../actor";
import { DomainError, notFound } from "../errors";
import { publishEvent } from "../events/live";
import { enqueueMail } from "../mail/outbox";
import { renderMail } from "../mail/templates";
import { attachmentsInput, checkAttachments, saveFiles, type AttachmentInput } from "./attachments";
import { afterCursor, decodeCursor, encodeCursor } from "./cursor";
import { renderMarkdown } from "./markdown";

export const REOPEN_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;
export const FIRST_NUMBER = 1001;
export const defaultTargets: Record<Priority, number> = {
  urgent: 60,
  high: 240,
  normal: 1440,
  low: 4320,
};

export interface FileEnv {
  filesDir: string;
  publicUrl: URL;
}

export const messageText = z
  .string({ error: "requests.messageRequired" })
  .trim()
  .min(1, { error: "requests.messageRequired" })
  .max(20_000, { error: "requests.messageTooLong" });

export const createRequestInput = z.object({
  subject: z
    .string({ error: "requests.subjectRequired" })
    .trim()
    .min(1, { error: "requests.subjectRequired" })
    .max(200, { error: "requests.subjectTooLong" }),
  categoryId: z.string().max(64).optional(),
  orderId: z.string().max(64).optional(),
  message: messageText,
  attachments: attachmentsInput,
});
export type CreateRequestInput = z.input<typeof createRequestInput>;

export const replyInput = z.object({
  id: z.string().min(1).max(64),
  message: messageText,
  attachments: attachmentsInput,
});
export const requestIdInput = z.object({ id: z.string().min(1).max(64) });
export const listRequestsInput = z.object({
  status: z.enum(requestStatuses).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export const csatInput = z.object({
  id: z.string().min(1).max(64),
  score: z
    .number({ error: "requests.csatScore" })
    .int()
    .min(1, { error: "requests.csatScore" })
    .max(5, { error: "requests.csatScore" }),
  comment: z.string().trim().max(2000, { error: "requests.messageTooLong" }).optional(),
});

/** Minutes to a first response for a priority (the admins' target, or the default). */
export async function targetMinutes(db: Db | Tx, priority: Priority): Promise<number> {
  const [row] = await db
    .select({ minutes: responseTargets.minutes })
    .from(responseTargets)
    .where(eq(responseTargets.priority, priority));
  return row?.minutes ?? defaultTargets[priority];
}

/** Adds a message (and its files) to a request in the caller's transaction; returns its id. */
export async function addMessage(
  tx: Tx,
  request: { id: string; accountId: string },
  author: { id: string | null; name: string; fromStaff: boolean },
  kind: "public" | "note",
  body: string,
  files: Awaited<ReturnType<typeof saveFiles>> | typeof noFiles,
): Promise<string> {
  const id = newId();
  await tx.insert(requestMessages).values({
    id,
    requestId: request.id,
    authorId: author.id,
    authorName: author.name,
    fromStaff: author.fromStaff,
    kind,
    body,
    createdAt: Date.now(),
  });
  await files.record(tx, request.id, id);
  await publishEvent(tx, {
    requestId: request.id,
    accountId: request.accountId,
    public: kind === "public",
  });
  return id;
}

/** Runs a write with files saved first; if the write fails, the files are removed again. */
export async function withFiles<T>(
  env: FileEnv,
  input: AttachmentInput[],
  write: (files: Awaited<ReturnType<typeof saveFiles>>) => Promise<T>,
): Promise<T> {
  const files = await saveFiles(env.filesDir, checkAttachments(input));
  try {
    return await write(files);
  } catch (error) {
    await files.discard();
    throw error;
  }
}

export async function recordChange(
  tx: Tx,
  requestId: string,
  actor: { id: string | null; name: string },
  field: string,
  from: string | null,
  to: string | null,
) {
  await tx.insert(requestChanges).values({
    id: newId(),
    requestId,
    actorId: actor.id,
    actorName: actor.name,
    field,
    fromValue: from,
    toValue: to,
    at: Date.now(),
  });
}

/** The signed-in person as messages, history and mail name them. */
export async function actorName(
  db: Db | Tx,
  actor: Actor,
): Promise<{ id: string; name: string; email: string; locale: "en" | "is" | null }> {
  const [row] = await db
    .select({ id: users.id, name: users.name, email: users.email, locale: users.locale })
    .from(users)
    .where(eq(users.id, actor.userId));
  if (!row) throw notFound();
  return row;
}

type NewRequest = Pick<
  typeof requests.$inferInsert,
  | "accountId"
  | "requesterId"
  | "requesterName"
  | "requesterEmail"
  | "orderId"
  | "subject"
  | "categoryId"
  | "channel"
  | "idempotencyKey"
> & { priority?: Priority };

/**
 * The one way a request comes to be, whatever the door: the next number (#1001 on), the first-response
 * due time from its priority's target, the opening message with its files, the history's first line
 * and the live event. Runs in the caller's write transaction, so numbers never collide.
 */
export async function insertRequest(
  tx: Tx,
  fields: NewRequest,
  author: { id: string | null; name: string },
  message: string,
  files: Awaited<ReturnType<typeof saveFiles>> | typeof noFiles,
): Promise<{ id: string; number: number }> {
  const [last] = await tx.select({ n: max(requests.number) }).from(requests);
  const number = Math.max((last?.n ?? 0) + 1, FIRST_NUMBER);
  const priority = fields.priority ?? "normal";
  const now = Date.now();
  const id = newId();
  await tx.insert(requests).values({
    ...fields,
    id,
    number,
    status: "open",
    priority,
    firstResponseDueAt: now + (await targetMinutes(tx, priority)) * 60_000,
    lastActivityAt: now,
    createdAt: now,
  });
  await addMessage(
    tx,
    { id, accountId: fields.accountId },
    { ...author, fromStaff: false },
    "public",
    message,
    files,
  );
  await recordChange(tx, id, author, "created", null, "open");
  return { id, number };
}

/** For requests that come with no files (widget, feedback). */
export const noFiles = { record: () => Promise.resolve(), discard: () => Promise.resolve([]) };

/** Opens a request for the caller's account; returns its id and number. */
export async function createRequest(
  db: Db,
  actor: CustomerActor,
  input: z.output<typeof createRequestInput>,
  env: FileEnv,
) {
  return withFiles(env, input.attachments, (files) =>
    db.transaction(async (tx) => {
      const me = await actorName(tx, actor);
      if (input.orderId) {
        const [order] = await tx
          .select({ id: orders.id })
          .from(orders)
          .where(and(eq(orders.id, input.orderId), eq(orders.accountId, actor.accountId)));
        if (!order) throw new DomainError("NOT_FOUND", "requests.orderNotFound", "orderId");
      }
      if (input.categoryId) {
        const [category] = await tx
          .select({ id: categories.id })
          .from(categories)
          .where(and(eq(categories.id, input.categoryId), sql`${categories.archivedAt} is null`));
        if (!category)
          throw new DomainError("BAD_REQUEST", "requests.categoryUnknown", "categoryId");
      }
      const { id, number } = await insertRequest(
        tx,
        {
          accountId: actor.accountId,
          requesterId: actor.userId,
          requesterName: me.name,
          requesterEmail: me.email,
          // An empty choice (a form's "none" option) means none, as in the checks above.
          orderId: input.orderId || null,
          subject: input.subject,
          categoryId: input.categoryId || null,
          channel: "portal",
        },
        { id: me.id, name: me.name },
        input.message,
        files,
      );
      await notifyAdminsOfNewRequest(
        tx,
        { number, subject: input.subject, requesterName: me.name },
        env.publicUrl,
        id,
      );
      return { id, number };
    }),
  );
}

async function notifyAdminsOfNewRequest(
  tx: Tx,
  request: { number: number; subject: string; requesterName: string },
  publicUrl: URL,
  id: string,
) {
  const admins = await tx
    .select({ email: users.email, name: users.name, locale: users.locale })
    .from(users)
    .where(
      and(
        eq(users.notifyNewRequests, true),
        sql`${users.deactivatedAt} is null`,
        inArray(users.role, ["agent", "admin"]),
      ),
    );
  const url = new URL(`/staff/requests/${id}`, publicUrl).href;
  for (const admin of admins) {
    await enqueueMail(
      tx,
      renderMail("newRequest", admin.locale ?? "en", admin.email, {
        name: admin.name,
        url,
        number: String(request.number),
        subject: request.subject,
        customer: request.requesterName,
      }),
    );
  }
}

/** The caller's account's requests, newest activity first, a page at a time. */
export async function listRequests(
  db: Db,
  actor: CustomerActor,
  input: z.output<typeof listRequestsInput>,
) {
  const where: (SQL | undefined)[] = [eq(requests.accountId, actor.accountId)];
  if (input.status) where.push(eq(requests.status, input.status));
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  if (after) where.push(afterCursor(requests.lastActivityAt, requests.id, after, "desc"));
  const rows = await db
    .select({
      id: requests.id,
      number: requests.number,
      subject: requests.subject,
      status: requests.status,
      lastActivityAt: requests.lastActivityAt,
      requesterName: requests.requesterName,
      createdAt: requests.createdAt,
    })
    .from(requests)
    .where(and(...where))
    .orderBy(desc(requests.lastActivityAt), desc(requests.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor({ at: last.lastActivityAt, id: last.id })
        : null,
  };
}

/** A request of the caller's account, or NOT_FOUND. */
export async function scopedRequest(db: Db | Tx, actor: CustomerActor, id: string) {
  const [row] = await db
    .select()
    .from(requests)
    .where(and(eq(requests.id, id), eq(requests.accountId, actor.accountId)));
  if (!row) throw notFound();
  return row;
}

/** Messages of a request with their files, rendered; `includeNotes` only for staff. */
export async function threadOf(db: Db, requestId: string, includeNotes: boolean) {
  const messages = await db
    .select({
      id: requestMessages.id,
      authorName: requestMessages.authorName,
      fromStaff: requestMessages.fromStaff,
      kind: requestMessages.kind,
      body: requestMessages.body,
      createdAt: requestMessages.createdAt,
    })
    .from(requestMessages)
    .where(
      and(
        eq(requestMessages.requestId, requestId),
        includeNotes ? undefined : eq(requestMessages.kind, "public"),
      ),
    )
    .orderBy(asc(requestMessages.createdAt), asc(requestMessages.id));
  const files = messages.length
    ? await db
        .select({
          id: attachments.id,
          messageId: attachments.messageId,
          fileName: attachments.fileName,
          contentType: attachments.contentType,
          size: attachments.size,
        })
        .from(attachments)
        .where(
          inArray(
            attachments.messageId,
            messages.map((m) => m.id),
          ),
        )
    : [];
  return messages.map((m) => ({
    ...m,
    html: renderMarkdown(m.body),
    files: files.filter((f) => f.messageId === m.id),
  }));
}

export function canReopen(
  request: { status: RequestStatus; resolvedAt: number | null },
  now = Date.now(),
) {
  return (
    (request.status === "resolved" || request.status === "closed") &&
    request.resolvedAt !== null &&
    now - request.resolvedAt <= REOPEN_WINDOW_MS
  );
}

/** The request page for a customer: the public conversation, the order, and the rating if any. */
export async function getRequest(db: Db, actor: CustomerActor, id: string) {
  const request = await scopedRequest(db, actor, id);
  const [messages, order, category, rating] = await Promise.all([
    threadOf(db, request.id, false),
    request.orderId
      ? db
          .select({ id: orders.id, number: orders.number })
          .from(orders)
          .where(eq(orders.id, request.orderId))
          .then((r) => r[0] ?? null)
      : null,
    request.categoryId
      ? db
          .select({ nameEn: categories.nameEn, nameIs: categories.nameIs })
          .from(categories)
          .where(eq(categories.id, request.categoryId))
          .then((r) => r[0] ?? null)
      : null,
    db
      .select({ score: feedback.score, comment: feedback.comment })
      .from(feedback)
      .where(and(eq(feedback.requestId, request.id), eq(feedback.kind, "csat")))
      .then((r) => r[0] ?? null),
  ]);
  return {
    id: request.id,
    number: request.number,
    subject: request.subject,
    status: request.status,
    requesterName: request.requesterName,
    createdAt: request.createdAt,
    resolvedAt: request.resolvedAt,
    canReopen: canReopen(request),
    canReply: request.status === "open" || request.status === "pending" || canReopen(request),
    order,
    category,
    rating,
    messages,
  };
}

/** A customer's reply; it (re)opens the request for the staff and tells the assignee. */
export async function customerReply(
  db: Db,
  actor: CustomerActor,
  input: z.output<typeof replyInput>,
  env: FileEnv,
) {
  return withFiles(env, input.attachments, (files) =>
    db.transaction(async (tx) => {
      const request = await scopedRequest(tx, actor, input.id);
      const open = request.status === "open" || request.status === "pending";
      if (!open && !canReopen(request))
        throw new DomainError("BAD_REQUEST", "requests.closedForReplies");
      const me = await actorName(tx, actor);
      await addMessage(
        tx,
        request,
        { id: me.id, name: me.name, fromStaff: false },
        "public",
        input.message,
        files,
      );
      const now = Date.now();
      await tx
        .update(requests)
        .set({ status: "open", lastActivityAt: now })
        .where(eq(requests.id, request.id));
      if (request.status !== "open")
        await recordChange(tx, request.id, me, "status", request.status, "open");
      if (request.assigneeId) {
        const [assignee] = await tx
          .select({ email: users.email, name: users.name, locale: users.locale })
          .from(users)
          .where(and(eq(users.id, request.assigneeId), isNull(users.deactivatedAt)));
        if (assignee) {
          const url = new URL(`/staff/requests/${request.id}`, env.publicUrl).href;
          await enqueueMail(
            tx,
            renderMail("customerReply", assignee.locale ?? "en", assignee.email, {
              name: assignee.name,
              url,
              number: String(request.number),
              subject: request.subject,
              customer: me.name,
              quote: input.message,
            }),
          );
        }
      }
    }),
  );
}

/** "This is solved": the customer resolves their request. */
export async function resolveByCustomer(db: Db, actor: CustomerActor, id: string) {
  await db.transaction(async (tx) => {
    const request = await scopedRequest(tx, actor, id);
    if (request.status === "resolved" || request.status === "closed") return;
    const me = await actorName(tx, actor);
    const now = Date.now();
    await tx
      .update(requests)
      .set({ status: "resolved", resolvedAt: now, lastActivityAt: now })
      .where(eq(requests.id, id));
    await recordChange(tx, id, me, "status", request.status, "resolved");
    await publishEvent(tx, { requestId: id, accountId: request.accountId, public: true });
  });
}

export async function reopenByCustomer(db: Db, actor: CustomerActor, id: string) {
  await db.transaction(async (tx) => {
    const request = await scopedRequest(tx, actor, id);
    if (request.status === "open" || request.status === "pending") return;
    if (!canReopen(request)) throw new DomainError("BAD_REQUEST", "requests.reopenExpired");
    const me = await actorName(tx, actor);
    await tx
      .update(requests)
      .set({ status: "open", resolvedAt: null, lastActivityAt: Date.now() })
      .where(eq(requests.id, id));
    await recordChange(tx, id, me, "status", request.status, "open");
    await publishEvent(tx, { requestId: id, accountId: request.accountId, public: true });
  });
}

/** The customer's rating of a resolved request (1–5 and a comment), stored as CSAT feedback. */
export async function rateRequest(
  db: Db,
  actor: CustomerActor,
  input: z.output<typeof csatInput>,
  locale: string,
) {
  await db.transaction(async (tx) => {
    const request = await scopedRequest(tx, actor, input.id);
    if (request.status !== "resolved" && request.status !== "closed")
      throw new DomainError("BAD_REQUEST", "requests.rateWhenResolved");
    await tx
      .delete(feedback)
      .where(and(eq(feedback.requestId, request.id), eq(feedback.kind, "csat")));
    await tx.insert(feedback).values({
      id: newId(),
      kind: "csat",
      score: input.score,
      comment: input.comment || null,
      userId: actor.userId,
      accountId: actor.accountId,
      requestId: request.id,
      locale,
      createdAt: Date.now(),
    });
    await publishEvent(tx, { requestId: request.id, accountId: request.accountId, public: false });
  });
}

/** Live updates for one request: customers hear only public changes of their account's requests. */
export async function liveFilterForCustomer(db: Db, actor: CustomerActor, id: string) {
  const request = await scopedRequest(db, actor, id);
  return (e: { requestId: string; public: boolean }) => e.requestId === request.id && e.public;
}
