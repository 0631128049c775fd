import { getProfile, setLocale, setLocaleInput } from "../services/accounts";
import { authedProcedure, router } from "../trpc";

/** The signed-in person's own settings, for customers and staff alike. */
export const accountRouter = router({
  profile: authedProcedure.query(({ ctx }) => getProfile(ctx.db, ctx.actor)),
  setLocale: authedProcedure
    .input(setLocaleInput)
    .mutation(({ ctx, input }) => setLocale(ctx.db, ctx.actor, input.locale)),
});
