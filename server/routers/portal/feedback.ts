import { z } from "zod";
import { locales } from "../../../db/schema";
import {
  giveFeedback,
  myFeedback,
  ordersToRate,
  portalFeedbackInput,
} from "../../services/feedback";
import { customerProcedure, router } from "../../trpc";

export const portalFeedbackRouter = router({
  mine: customerProcedure.query(({ ctx }) => myFeedback(ctx.db, ctx.actor)),
  ordersToRate: customerProcedure.query(({ ctx }) => ordersToRate(ctx.db, ctx.actor)),
  give: customerProcedure
    .input(portalFeedbackInput.and(z.object({ locale: z.enum(locales).default("en") })))
    .mutation(({ ctx, input }) => giveFeedback(ctx.db, ctx.actor, input, input.locale)),
});
