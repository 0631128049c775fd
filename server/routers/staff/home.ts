import { getStaffHome, listTeam } from "../../services/staff";
import { adminProcedure, router, staffProcedure } from "../../trpc";

export const staffHomeRouter = router({
  overview: staffProcedure.query(({ ctx }) => getStaffHome(ctx.db, ctx.actor)),
  team: adminProcedure.query(({ ctx }) => listTeam(ctx.db, ctx.actor)),
});
