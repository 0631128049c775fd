import { getAccountSummary, getCustomerHome } from "../../services/accounts";
import { customerProcedure, router } from "../../trpc";

export const homeRouter = router({
  overview: customerProcedure.query(({ ctx }) => getCustomerHome(ctx.db, ctx.actor)),
  account: customerProcedure.query(({ ctx }) => getAccountSummary(ctx.db, ctx.actor)),
});
