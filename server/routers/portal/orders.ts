import { z } from "zod";
import { getOrder, getOrdersOverview, listOrders, listOrdersInput } from "../../services/orders";
import { customerProcedure, router } from "../../trpc";

export const ordersRouter = router({
  list: customerProcedure
    .input(listOrdersInput)
    .query(({ ctx, input }) => listOrders(ctx.db, ctx.actor, input)),
  byId: customerProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getOrder(ctx.db, ctx.actor, input.id)),
  overview: customerProcedure.query(({ ctx }) => getOrdersOverview(ctx.db, ctx.actor)),
});
