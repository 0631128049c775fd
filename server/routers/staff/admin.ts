import { z } from "zod";
import {
  cannedReplyInput,
  categoryInput,
  createCannedReply,
  createCategory,
  deleteCannedReply,
  failedMail,
  getTargets,
  idInput,
  inviteStaff,
  inviteStaffInput,
  listCannedReplies,
  listCategories,
  listStaffMembers,
  retryMail,
  setCategoryArchived,
  setNotifyNewRequests,
  setStaffActive,
  setStaffRole,
  setTargets,
  targetsInput,
} from "../../services/admin";
import { adminProcedure, router, staffProcedure } from "../../trpc";

export const adminRouter = router({
  categories: adminProcedure.query(({ ctx }) => listCategories(ctx.db, true)),
  createCategory: adminProcedure
    .input(categoryInput)
    .mutation(({ ctx, input }) => createCategory(ctx.db, ctx.actor, input)),
  archiveCategory: adminProcedure
    .input(idInput.extend({ archived: z.boolean() }))
    .mutation(({ ctx, input }) => setCategoryArchived(ctx.db, ctx.actor, input.id, input.archived)),
  cannedReplies: staffProcedure.query(({ ctx }) => listCannedReplies(ctx.db, ctx.actor)),
  createCannedReply: adminProcedure
    .input(cannedReplyInput)
    .mutation(({ ctx, input }) => createCannedReply(ctx.db, ctx.actor, input)),
  deleteCannedReply: adminProcedure
    .input(idInput)
    .mutation(({ ctx, input }) => deleteCannedReply(ctx.db, ctx.actor, input.id)),
  targets: staffProcedure.query(({ ctx }) => getTargets(ctx.db)),
  setTargets: adminProcedure
    .input(targetsInput)
    .mutation(({ ctx, input }) => setTargets(ctx.db, ctx.actor, input)),
  staff: adminProcedure.query(({ ctx }) => listStaffMembers(ctx.db, ctx.actor)),
  inviteStaff: adminProcedure
    .input(inviteStaffInput)
    .mutation(({ ctx, input }) => inviteStaff(ctx.db, ctx.actor, input, ctx.publicUrl)),
  setStaffActive: adminProcedure
    .input(idInput.extend({ active: z.boolean() }))
    .mutation(({ ctx, input }) => setStaffActive(ctx.db, ctx.actor, input.id, input.active)),
  setStaffRole: adminProcedure
    .input(idInput.extend({ role: z.enum(["agent", "admin"]) }))
    .mutation(({ ctx, input }) => setStaffRole(ctx.db, ctx.actor, input.id, input.role)),
  setNotifyNewRequests: staffProcedure
    .input(z.object({ on: z.boolean() }))
    .mutation(({ ctx, input }) => setNotifyNewRequests(ctx.db, ctx.actor, input.on)),
  failedMail: adminProcedure.query(({ ctx }) => failedMail(ctx.db, ctx.actor)),
  retryMail: adminProcedure
    .input(idInput)
    .mutation(({ ctx, input }) => retryMail(ctx.db, ctx.actor, input.id)),
});
