// Attachment downloads: only to those who may see the message, always as a download, never sniffed.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { APIRoute } from "astro";

export const GET: APIRoute = async ({ params, locals, rewrite }) => {
  let file;
  try {
    file = await locals.trpc.files.byId({ id: params.id ?? "" });
  } catch {
    return rewrite("/404");
  }
  const path = join(locals.services.filesDir, file.storageKey);
  try {
    await stat(path);
  } catch {
    return rewrite("/404");
  }
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.size),
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
    },
  });
};
