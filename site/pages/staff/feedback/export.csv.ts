// The comment stream's rows as CSV, exactly as filtered, streamed 500 rows at a time (never the whole
// table in memory).
import type { APIRoute } from "astro";
import { csvLine } from "../../../lib/csv";
import { DAY_MS, dayStart } from "../../../lib/format";

export const GET: APIRoute = ({ locals, url }) => {
  const to = dayStart(url.searchParams.get("to"));
  const filter = {
    from: dayStart(url.searchParams.get("from")),
    to: to === undefined ? undefined : to + DAY_MS,
  };
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let done = false;
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
    },
    async pull(controller) {
      if (done) return controller.close();
      const page = await locals.trpc.staff.feedback.stream({
        ...filter,
        cursor,
        limit: 500,
        forExport: true,
      });
      for (const r of page.rows) {
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
      cursor = page.nextCursor ?? undefined;
      done = page.nextCursor === null;
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
