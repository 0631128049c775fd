// Files people attach to request messages: images, PDF and plain text up to 10 MB, five at a time. The
// type is read from the content, never the name; files are stored under random names and served only
// to those who may see the message (staff, or the customer's account when the message is public).
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../db/client";
import { newId } from "../../db/ids";
import { attachments, requestMessages, requests } from "../../db/schema";
import { isStaffRole, type Actor } from "../actor";
import { DomainError, notFound } from "../errors";

export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export const attachmentsInput = z
  .array(z.object({ name: z.string().trim().min(1).max(200), data: z.instanceof(Uint8Array) }))
  .max(MAX_FILES, { error: "attachments.tooMany" })
  .default([]);
export type AttachmentInput = z.output<typeof attachmentsInput>[number];

/** The content type the bytes really are, or null when they are none of the allowed kinds. */
export function sniffType(data: Uint8Array): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => data[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (
    starts(0x52, 0x49, 0x46, 0x46) &&
    data[8] === 0x57 &&
    data[9] === 0x45 &&
    data[10] === 0x42 &&
    data[11] === 0x50
  )
    return "image/webp";
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "application/pdf";
  return isPlainText(data) ? "text/plain" : null;
}

function isPlainText(data: Uint8Array): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/** Checks count, sizes and real types; a bad file refuses the whole message, naming the file. */
export function checkAttachments(files: AttachmentInput[]) {
  if (files.length > MAX_FILES)
    throw new DomainError("BAD_REQUEST", "attachments.tooMany", "attachments");
  return files.map((file) => {
    if (file.data.byteLength > MAX_FILE_BYTES)
      throw new DomainError("BAD_REQUEST", "attachments.tooLarge", "attachments");
    if (file.data.byteLength === 0)
      throw new DomainError("BAD_REQUEST", "attachments.empty", "attachments");
    const contentType = sniffType(file.data);
    if (!contentType) throw new DomainError("BAD_REQUEST", "attachments.badType", "attachments");
    return { ...file, name: safeFileName(file.name, contentType), contentType };
  });
}

const extensions: Record<string, string[]> = {
  "image/png": [".png"],
  "image/jpeg": [".jpg", ".jpeg"],
  "image/gif": [".gif"],
  "image/webp": [".webp"],
  "application/pdf": [".pdf"],
  "text/plain": [".txt", ".log", ".csv", ".md"],
};

/**
 * A file name that is safe in a header and on any disk, and whose extension says what the content is:
 * a text file called invoice.hta is saved as invoice.hta.txt, so opening it never runs it. Control and
 * bidirectional formatting characters (which can disguise an extension) are removed.
 */
export function safeFileName(name: string, contentType: string): string {
  const cleaned =
    name
      .replace(/[\p{Cc}\p{Cf}"\\/]/gu, "")
      .trim()
      .slice(-150) || "file";
  const allowed = extensions[contentType] ?? [];
  return allowed.some((ext) => cleaned.toLowerCase().endsWith(ext))
    ? cleaned
    : `${cleaned}${allowed[0] ?? ""}`;
}

export type CheckedFile = ReturnType<typeof checkAttachments>[number];

/**
 * Writes files to disk under random names, then returns a function that records them in the caller's
 * transaction, and a cleanup for when that transaction fails (so no orphan file outlives a refusal).
 */
export async function saveFiles(filesDir: string, files: CheckedFile[]) {
  await mkdir(filesDir, { recursive: true });
  const named = files.map((file) => ({
    ...file,
    storageKey: randomBytes(24).toString("base64url"),
  }));
  const discardAll = () =>
    Promise.all(named.map((f) => rm(join(filesDir, f.storageKey), { force: true })));
  try {
    await Promise.all(named.map((f) => writeFile(join(filesDir, f.storageKey), f.data)));
  } catch (error) {
    await discardAll(); // none of a message's files outlive a failed write
    throw error;
  }
  const saved = named;
  return {
    record: async (tx: Tx, requestId: string, messageId: string) => {
      if (saved.length === 0) return;
      const now = Date.now();
      await tx.insert(attachments).values(
        saved.map((f) => ({
          id: newId(),
          requestId,
          messageId,
          fileName: f.name,
          contentType: f.contentType,
          size: f.data.byteLength,
          storageKey: f.storageKey,
          createdAt: now,
        })),
      );
    },
    discard: discardAll,
  };
}

/** An attachment the actor may download, or NOT_FOUND. */
export async function getAttachment(db: Db, actor: Actor, id: string) {
  const [row] = await db
    .select({
      fileName: attachments.fileName,
      contentType: attachments.contentType,
      size: attachments.size,
      storageKey: attachments.storageKey,
      accountId: requests.accountId,
      kind: requestMessages.kind,
    })
    .from(attachments)
    .innerJoin(requests, eq(requests.id, attachments.requestId))
    .innerJoin(requestMessages, eq(requestMessages.id, attachments.messageId))
    .where(and(eq(attachments.id, id)));
  if (!row) throw notFound();
  const allowed =
    isStaffRole(actor.role) || (row.accountId === actor.accountId && row.kind === "public");
  if (!allowed) throw notFound();
  return {
    fileName: row.fileName,
    contentType: row.contentType,
    size: row.size,
    storageKey: row.storageKey,
  };
}
