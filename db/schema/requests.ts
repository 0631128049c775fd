// Support requests: a conversation between a customer (or a widget visitor) and the staff, with internal
// notes, attachments, a history of every change, and the targets that set first-response times.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts, users } from "./accounts";
import { orders } from "./orders";

export const requestStatuses = ["open", "pending", "resolved", "closed"] as const;
export type RequestStatus = (typeof requestStatuses)[number];
export const priorities = ["urgent", "high", "normal", "low"] as const;
export type Priority = (typeof priorities)[number];
export const channels = ["portal", "widget", "email"] as const;
export type Channel = (typeof channels)[number];

/** Open or pending: the inbox's working views. Literal SQL, matched term for term by partial indexes. */
const activeRequest = sql`status in ('open', 'pending')`;
/** Resolved or closed: the inbox's "resolved" view. */
const doneRequest = sql`status in ('resolved', 'closed')`;

export const categories = sqliteTable("categories", {
  id: text("id").primaryKey(),
  nameEn: text("name_en").notNull(),
  nameIs: text("name_is").notNull(),
  position: integer("position").notNull(),
  archivedAt: integer("archived_at"),
});

export const requests = sqliteTable(
  "requests",
  {
    id: text("id").primaryKey(),
    // The number people quote (#1042); unique across the company, looked up only within a caller's scope.
    number: integer("number").notNull().unique(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "restrict" }),
    requesterId: text("requester_id").references(() => users.id, { onDelete: "set null" }),
    requesterName: text("requester_name").notNull(),
    requesterEmail: text("requester_email"),
    orderId: text("order_id").references(() => orders.id, { onDelete: "set null" }),
    subject: text("subject").notNull(),
    categoryId: text("category_id").references(() => categories.id, { onDelete: "set null" }),
    status: text("status", { enum: requestStatuses }).notNull(),
    priority: text("priority", { enum: priorities }).notNull(),
    assigneeId: text("assignee_id").references(() => users.id, { onDelete: "set null" }),
    channel: text("channel", { enum: channels }).notNull(),
    firstResponseDueAt: integer("first_response_due_at").notNull(),
    firstRespondedAt: integer("first_responded_at"),
    resolvedAt: integer("resolved_at"),
    lastActivityAt: integer("last_activity_at").notNull(),
    // A widget submission's key: a retried "open a request" is stored once.
    idempotencyKey: text("idempotency_key").unique(),
    createdAt: integer("created_at").notNull(),
    // The request's row in the full-text index (migration 0008): triggers give it a new, higher key on
    // every activity, so the index's rowid order is the inbox's "latest activity first" order.
    searchKey: integer("search_key").unique(),
  },
  (t) => {
    /** The inbox's filters, kept in each view's index after its sort order. */
    const filters = [t.status, t.priority, t.channel, t.categoryId] as const;
    return [
      index("requests_account_activity_idx").on(t.accountId, t.lastActivityAt, t.id),
      index("requests_assignee_idx").on(t.assigneeId, t.status),
      // The customer 360 lists an account's requests by when they were opened.
      index("requests_account_created_idx").on(t.accountId, t.createdAt, t.id),
      // The inbox views span two statuses each; partial indexes keep each view in its sort order (an
      // index on status reads both statuses and sorts every matching row). server/services/inbox.ts writes
      // the same literal conditions, which is what lets SQLite use them; the pending view and a status
      // filter walk the view's index. Each also holds the inbox's filter columns after its sort order, so
      // SQLite tests a filter (status, priority, channel, category) on the index entry and reads only the
      // requests that pass (unassigned + high priority 88 → 63 µs, resolved + widget 81 → 75 µs).
      index("requests_active_activity_idx")
        .on(t.lastActivityAt, t.id, ...filters)
        .where(activeRequest),
      index("requests_active_due_idx")
        .on(t.firstResponseDueAt, t.id, ...filters)
        .where(activeRequest),
      index("requests_active_assignee_activity_idx")
        .on(t.assigneeId, t.lastActivityAt, t.id, ...filters)
        .where(activeRequest),
      index("requests_active_assignee_due_idx")
        .on(t.assigneeId, t.firstResponseDueAt, t.id, ...filters)
        .where(activeRequest),
      index("requests_done_activity_idx")
        .on(t.lastActivityAt, t.id, ...filters)
        .where(doneRequest),
      index("requests_done_due_idx")
        .on(t.firstResponseDueAt, t.id, ...filters)
        .where(doneRequest),
      check("requests_status_check", sql`${t.status} in ('open', 'pending', 'resolved', 'closed')`),
      check("requests_priority_check", sql`${t.priority} in ('urgent', 'high', 'normal', 'low')`),
    ];
  },
);

export const messageKinds = ["public", "note"] as const;

export const requestMessages = sqliteTable(
  "request_messages",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id")
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    authorName: text("author_name").notNull(),
    /** Staff wrote it (shown as the company's answer), or the customer did. */
    fromStaff: integer("from_staff", { mode: "boolean" }).notNull(),
    // "note" is internal: never shown to a customer, mailed, or sent in a customer's live events.
    kind: text("kind", { enum: messageKinds }).notNull(),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    // A thread in order: time, then id for messages of the same millisecond.
    index("request_messages_request_idx").on(t.requestId, t.createdAt, t.id),
    check("request_messages_kind_check", sql`${t.kind} in ('public', 'note')`),
  ],
);

export const attachments = sqliteTable(
  "attachments",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id")
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    messageId: text("message_id")
      .notNull()
      .references(() => requestMessages.id, { onDelete: "cascade" }),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    // Random name of the stored file under FILES_DIR; never derived from what the uploader called it.
    storageKey: text("storage_key").notNull().unique(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("attachments_message_idx").on(t.messageId)],
);

/** Who changed what and when: status, priority, category, assignee. */
export const requestChanges = sqliteTable(
  "request_changes",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id")
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorName: text("actor_name").notNull(),
    field: text("field").notNull(),
    fromValue: text("from_value"),
    toValue: text("to_value"),
    at: integer("at").notNull(),
  },
  (t) => [index("request_changes_request_idx").on(t.requestId, t.at)],
);

export const cannedReplies = sqliteTable("canned_replies", {
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  body: text("body").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** Minutes to a first response per priority; admins change them. */
export const responseTargets = sqliteTable("response_targets", {
  priority: text("priority", { enum: priorities }).primaryKey(),
  minutes: integer("minutes").notNull(),
});

/**
 * Every change a live page may want, in order. Each process polls this table and wakes its own
 * subscribers, so a change written through one process reaches pages served by another.
 */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: text("request_id").notNull(),
    accountId: text("account_id").notNull(),
    // Whether customers may hear of it: a public message or status change, not a note.
    public: integer("public", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("events_created_idx").on(t.createdAt)],
);

export type RequestRow = typeof requests.$inferSelect;
