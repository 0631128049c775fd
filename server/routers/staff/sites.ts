import { z } from "zod";
import {
  createSite,
  listSites,
  rotateSiteKeys,
  siteInput,
  updateSite,
  updateSiteInput,
} from "../../services/sites";
import {
  activeBlocks,
  blockInput,
  blockSender,
  busiestSenders,
  setEnabledInput,
  setSiteEnabled,
  siteIdInput,
  submissionRates,
  unblockInput,
  unblockSender,
} from "../../services/widget-abuse";
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
  // Abuse controls (issue 6): switch off, block senders, rates.
  setEnabled: adminProcedure
    .input(setEnabledInput)
    .mutation(({ ctx, input }) => setSiteEnabled(ctx.db, ctx.actor, input)),
  rates: adminProcedure
    .input(siteIdInput)
    .query(({ ctx, input }) => submissionRates(ctx.db, ctx.actor, input.id)),
  senders: adminProcedure
    .input(siteIdInput)
    .query(({ ctx, input }) => busiestSenders(ctx.db, ctx.actor, input.id)),
  blocks: adminProcedure
    .input(siteIdInput)
    .query(({ ctx, input }) => activeBlocks(ctx.db, ctx.actor, input.id)),
  block: adminProcedure
    .input(blockInput)
    .mutation(({ ctx, input }) => blockSender(ctx.db, ctx.actor, input)),
  unblock: adminProcedure
    .input(unblockInput)
    .mutation(({ ctx, input }) => unblockSender(ctx.db, ctx.actor, input)),
});
