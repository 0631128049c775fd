import { z } from "zod";
import { locales } from "../../../db/schema";
import { limits, throttle } from "../../auth/throttle";
import {
  createRequest,
  createRequestInput,
  csatInput,
  customerReply,
  getRequest,
  listRequests,
  listRequestsInput,
  liveFilterForCustomer,
  rateRequest,
  reopenByCustomer,
  replyInput,
  requestIdInput,
  resolveByCustomer,
} from "../../services/requests";
import { listCategories } from "../../services/admin";
import { customerProcedure, router } from "../../trpc";

export const requestsRouter = router({
  list: customerProcedure
    .input(listRequestsInput)
    .query(({ ctx, input }) => listRequests(ctx.db, ctx.actor, input)),
  byId: customerProcedure
    .input(requestIdInput)
    .query(({ ctx, input }) => getRequest(ctx.db, ctx.actor, input.id)),
  categories: customerProcedure.query(({ ctx }) => listCategories(ctx.db)),
  create: customerProcedure.input(createRequestInput).mutation(async ({ ctx, input }) => {
    await throttle(ctx.db, [[`requests:user:${ctx.actor.userId}`, limits.requestsPerUser]]);
    return createRequest(ctx.db, ctx.actor, input, ctx);
  }),
  reply: customerProcedure
    .input(replyInput)
    .mutation(({ ctx, input }) => customerReply(ctx.db, ctx.actor, input, ctx)),
  resolve: customerProcedure
    .input(requestIdInput)
    .mutation(({ ctx, input }) => resolveByCustomer(ctx.db, ctx.actor, input.id)),
  reopen: customerProcedure
    .input(requestIdInput)
    .mutation(({ ctx, input }) => reopenByCustomer(ctx.db, ctx.actor, input.id)),
  rate: customerProcedure
    .input(csatInput.extend({ locale: z.enum(locales).default("en") }))
    .mutation(({ ctx, input }) => rateRequest(ctx.db, ctx.actor, input, input.locale)),
  /** Public changes to one of the account's requests, as they happen (SSE). */
  live: customerProcedure
    .input(z.object({ id: z.string().min(1).max(64), lastEventId: z.string().max(20).nullish() }))
    // The lookup runs before the stream is returned, so a refusal is a typed error (NOT_FOUND) rather
    // than a failure inside the stream, which tRPC would report as an internal error.
    .subscription(async ({ ctx, input, signal }) => {
      const filter = await liveFilterForCustomer(ctx.db, ctx.actor, input.id);
      return ctx.live.stream(filter, input.lastEventId, signal);
    }),
});
