import {
  apiKeyIdInput,
  createApiKey,
  createApiKeyInput,
  listApiKeys,
  revokeApiKey,
} from "../../services/api-keys";
import { adminProcedure, router } from "../../trpc";

export const apiKeysRouter = router({
  list: adminProcedure.query(({ ctx }) => listApiKeys(ctx.db, ctx.actor)),
  create: adminProcedure
    .input(createApiKeyInput)
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.actor, input.name)),
  revoke: adminProcedure
    .input(apiKeyIdInput)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor, input.id)),
});
