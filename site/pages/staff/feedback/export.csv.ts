// The comment stream's rows as CSV, exactly as filtered, streamed 500 rows at a time (never the whole
// table in memory).
import { TRPCError } from "@trpc/server";
import type { APIRoute } from "astro";
import { csvLine } from "../../../lib/csv";
import { DAY_MS, dayStart } from "../../../lib/format";

export const GET: APIRoute = async ({ locals, url, redirect }) => {
  const to = dayStart(url.searchParams.get("to"));
  const filter = {
    from: dayStart(url.searchParams.get("from")),
    to: to === undefined ? undefined : to + DAY_MS,
  };
  const pageAfter = (cursor: string | undefined) =>
    locals.trpc.staff.feedback.stream({ ...filter, cursor, limit: 500, forExport: true });
  // The first page before the answer starts, so a refused filter (an end date before the start) is
  // shown where it was chosen, on the feedback page beside its field, not as a broken download.
  let page;
  try {
    page = await pageAfter(undefined);
  } catch (error) {
    if (error instanceof TRPCError && error.code === "BAD_REQUEST")
      return redirect(`/staff/feedback${url.search}`, 303);
    throw error;
  }
  const encoder = new TextEncoder();
  const send = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    rows: typeof page.rows,
  ) => {
    for (const r of rows) {
      controller.enqueue(
        encoder.encode(
          csvLine([
            new Date(r.createdAt).toISOString(),
            r.kind,
            r.score,
            r.comment,
            r.accountName,
            r.userName,
            r.siteName,
            r.pageUrl,
            r.productRef,
            r.locale,
          ]),
        ),
      );
    }
  };
  let cursor = page.nextCursor;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(
        encoder.encode(
          csvLine([
            "created_at",
            "kind",
            "score",
            "comment",
            "account",
            "person",
            "site",
            "page_url",
            "product",
            "locale",
          ]),
        ),
      );
      send(controller, page.rows);
      if (cursor === null) controller.close();
    },
    async pull(controller) {
      if (cursor === null) return;
      const next = await pageAfter(cursor);
      send(controller, next.rows);
      cursor = next.nextCursor;
      if (cursor === null) controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="feedback-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
