import { z } from "zod";
import { listCategories } from "../../services/admin";
import { getAccount360 } from "../../services/customers";
import { getOrderForStaff } from "../../services/orders";
import {
  cannedRepliesFor,
  getRequestForStaff,
  inboxCounts,
  inboxInput,
  listInbox,
  listStaff,
  liveFilterForStaff,
  staffReply,
  staffReplyInput,
  updateRequest,
  updateRequestInput,
} from "../../services/inbox";
import { requestIdInput } from "../../services/requests";
import { router, staffProcedure } from "../../trpc";

export const staffRequestsRouter = router({
  inbox: staffProcedure
    .input(inboxInput)
    .query(({ ctx, input }) => listInbox(ctx.db, ctx.actor, input)),
  counts: staffProcedure.query(({ ctx }) => inboxCounts(ctx.db, ctx.actor)),
  staff: staffProcedure.query(({ ctx }) => listStaff(ctx.db)),
  categories: staffProcedure.query(({ ctx }) => listCategories(ctx.db)),
  byId: staffProcedure
    .input(requestIdInput)
    .query(({ ctx, input }) => getRequestForStaff(ctx.db, ctx.actor, input.id)),
  cannedReplies: staffProcedure
    .input(requestIdInput)
    .query(({ ctx, input }) => cannedRepliesFor(ctx.db, ctx.actor, input.id)),
  reply: staffProcedure
    .input(staffReplyInput)
    .mutation(({ ctx, input }) => staffReply(ctx.db, ctx.actor, input, ctx)),
  update: staffProcedure
    .input(updateRequestInput)
    .mutation(({ ctx, input }) => updateRequest(ctx.db, ctx.actor, input, ctx.publicUrl)),
  order: staffProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getOrderForStaff(ctx.db, ctx.actor, input.id)),
  account: staffProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getAccount360(ctx.db, ctx.actor, input.id)),
  /** Every change (for the inbox), or one request's (for its page), as they happen (SSE). */
  live: staffProcedure
    .input(
      z.object({
        id: z.string().min(1).max(64).optional(),
        lastEventId: z.string().max(20).nullish(),
      }),
    )
    // Looked up before the stream is returned: an unknown id is NOT_FOUND, not an error in the stream.
    .subscription(async ({ ctx, input, signal }) => {
      const filter = await liveFilterForStaff(ctx.db, input.id);
      return ctx.live.stream(filter, input.lastEventId, signal);
    }),
});
