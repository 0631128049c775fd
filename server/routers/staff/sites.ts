import { z } from "zod";
import {
  createSite,
  listSites,
  rotateSiteKeys,
  siteInput,
  updateSite,
  updateSiteInput,
} from "../../services/sites";
import { adminProcedure, router } from "../../trpc";

export const sitesRouter = router({
  list: adminProcedure.query(({ ctx }) => listSites(ctx.db, ctx.actor)),
  create: adminProcedure
    .input(siteInput)
    .mutation(({ ctx, input }) => createSite(ctx.db, ctx.actor, input)),
  update: adminProcedure
    .input(updateSiteInput)
    .mutation(({ ctx, input }) => updateSite(ctx.db, ctx.actor, input)),
  rotate: adminProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => rotateSiteKeys(ctx.db, ctx.actor, input.id)),
});
