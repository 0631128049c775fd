import { auditListInput, listAudit } from "../../services/audit";
import { adminProcedure, router } from "../../trpc";

export const auditRouter = router({
  list: adminProcedure
    .input(auditListInput)
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.actor, input)),
});
