import { z } from "zod";
import { getAttachment } from "../services/attachments";
import { attachmentProcedure, router } from "../trpc";

export const filesRouter = router({
  /** An attachment the caller may see (the /files page streams it; nothing here sends bytes). */
  byId: attachmentProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getAttachment(ctx.db, ctx.actor, input.id)),
});
