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
import { router, enrolmentProcedure } from "../trpc";

export const twoFactorRouter = router({
  status: enrolmentProcedure.query(({ ctx }) => twoFactorStatus(ctx.db, ctx.actor)),
  begin: enrolmentProcedure.mutation(({ ctx }) => beginEnrolment(ctx.db, ctx.actor)),
  /** Returns the recovery codes, which are never shown again. */
  confirm: enrolmentProcedure
    .input(codeInput)
    .mutation(({ ctx, input }) => confirmEnrolment(ctx.db, ctx.actor, input.code)),
  regenerateCodes: enrolmentProcedure
    .input(codeInput)
    .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.db, ctx.actor, input.code)),
  disable: enrolmentProcedure
    .input(disableTwoFactorInput)
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.db, ctx.actor, input)),
});
