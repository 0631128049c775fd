import { z } from "zod";
import {
  analyticsInput,
  feedbackAnalytics,
  feedbackStream,
  feedbackToRequest,
  followUpInput,
  needsFollowUp,
  replyToFeedback,
  streamCursor,
  streamInput,
} from "../../services/feedback";
import { listSiteNames } from "../../services/sites";
import { recordAudit } from "../../services/audit";
import { router, staffProcedure } from "../../trpc";

export const staffFeedbackRouter = router({
  analytics: staffProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => feedbackAnalytics(ctx.db, ctx.actor, input)),
  /** `forExport` on the first page records the download (CSV) in the audit log. */
  stream: staffProcedure
    .input(streamInput)
    .query(async ({ ctx, input: { forExport, ...input } }) => {
      if (forExport && !input.cursor) {
        const detail = { from: input.from, to: input.to, siteId: input.siteId };
        await recordAudit(ctx.db, ctx.actor, { action: "feedback.exported", detail });
      }
      const rows = await feedbackStream(ctx.db, ctx.actor, input);
      const last = rows.at(-1);
      return { rows, nextCursor: rows.length === input.limit && last ? streamCursor(last) : null };
    }),
  sites: staffProcedure.query(({ ctx }) => listSiteNames(ctx.db)),
  needsFollowUp: staffProcedure.query(({ ctx }) => needsFollowUp(ctx.db, ctx.actor)),
  reply: staffProcedure
    .input(followUpInput)
    .mutation(({ ctx, input }) => replyToFeedback(ctx.db, ctx.actor, input, ctx.publicUrl)),
  toRequest: staffProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => feedbackToRequest(ctx.db, ctx.actor, input.id)),
});
