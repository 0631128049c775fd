// Staff's own two-factor sign-in (TOTP): status, enrolment, recovery codes, switching it off. Open to
// admins who have not enrolled yet, since this is where they are sent to do it.
import {
  beginEnrolment,
  codeInput,
  confirmEnrolment,
  disableTwoFactor,
  disableTwoFactorInput,
  regenerateRecoveryCodes,
  twoFactorStatus,
} from "../services/two-factor";
import { router, staffProcedure } from "../trpc";

export const twoFactorRouter = router({
  status: staffProcedure.query(({ ctx }) => twoFactorStatus(ctx.db, ctx.actor)),
  begin: staffProcedure.mutation(({ ctx }) => beginEnrolment(ctx.db, ctx.actor)),
  /** Returns the recovery codes, which are never shown again. */
  confirm: staffProcedure
    .input(codeInput)
    .mutation(({ ctx, input }) => confirmEnrolment(ctx.db, ctx.actor, input.code)),
  regenerateCodes: staffProcedure
    .input(codeInput)
    .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.db, ctx.actor, input.code)),
  disable: staffProcedure
    .input(disableTwoFactorInput)
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.db, ctx.actor, input)),
});
