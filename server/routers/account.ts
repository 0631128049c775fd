import { endSession, startSession } from "../auth/cookies";
import { guardLink, limits, throttle } from "../auth/throttle";
import { getProfile, setLocale, setLocaleInput, setName, setNameInput } from "../services/accounts";
import { contactRole, inviteColleague, inviteInput, listContacts } from "../services/contacts";
import {
  changeEmailInput,
  confirmEmailChange,
  linkInput,
  linkTarget,
  tokenInput,
  verifyEmail,
  changePassword,
  changePasswordInput,
  deleteAccount,
  deleteAccountInput,
  exportData,
  preferencesInput,
  requestEmailChange,
  resendVerification,
  setPreferences,
} from "../services/identity";
import { authedProcedure, customerProcedure, router } from "../trpc";

/** The signed-in person's own settings and data, for customers and staff alike unless noted. */
export const accountRouter = router({
  profile: authedProcedure.query(({ ctx }) => getProfile(ctx.db, ctx.actor)),
  setName: authedProcedure
    .input(setNameInput)
    .mutation(({ ctx, input }) => setName(ctx.db, ctx.actor, input.name)),
  setLocale: authedProcedure
    .input(setLocaleInput)
    .mutation(({ ctx, input }) => setLocale(ctx.db, ctx.actor, input.locale)),
  setPreferences: authedProcedure
    .input(preferencesInput)
    .mutation(({ ctx, input }) => setPreferences(ctx.db, ctx.actor, input)),
  changePassword: authedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    await changePassword(ctx.db, ctx.actor, input);
    await startSession(ctx.auth, ctx.cookies, ctx.actor.userId, null);
  }),
  requestEmailChange: authedProcedure.input(changeEmailInput).mutation(async ({ ctx, input }) => {
    await throttle(ctx.db, [[`mail:${input.email}`, limits.mailsPerAddress]]);
    await requestEmailChange(ctx.db, ctx.actor, input, ctx.publicUrl);
  }),
  linkTarget: authedProcedure
    .input(linkInput)
    .query(({ ctx, input }) => linkTarget(ctx.db, ctx.actor, input.token, input.purpose)),
  verifyEmail: authedProcedure
    .input(tokenInput)
    .mutation(({ ctx, input }) =>
      guardLink(ctx.db, ctx.clientIp, () => verifyEmail(ctx.db, ctx.actor, input.token)),
    ),
  confirmEmailChange: authedProcedure.input(tokenInput).mutation(async ({ ctx, input }) => {
    await guardLink(ctx.db, ctx.clientIp, () =>
      confirmEmailChange(ctx.db, ctx.actor, input.token, ctx.publicUrl),
    );
    await startSession(ctx.auth, ctx.cookies, ctx.actor.userId, null);
  }),
  resendVerification: authedProcedure.mutation(async ({ ctx }) => {
    await throttle(ctx.db, [[`mail:${ctx.user?.email}`, limits.mailsPerAddress]]);
    await resendVerification(ctx.db, ctx.actor, ctx.publicUrl);
  }),
  exportData: authedProcedure.query(({ ctx }) => exportData(ctx.db, ctx.actor)),
  delete: customerProcedure.input(deleteAccountInput).mutation(async ({ ctx, input }) => {
    await deleteAccount(ctx.db, ctx.actor, input);
    await endSession(ctx.auth, ctx.cookies, null);
  }),
  contactRole: customerProcedure.query(
    async ({ ctx }) => (await contactRole(ctx.db, ctx.actor)).isAdmin,
  ),
  contacts: customerProcedure.query(({ ctx }) => listContacts(ctx.db, ctx.actor)),
  invite: customerProcedure.input(inviteInput).mutation(async ({ ctx, input }) => {
    await throttle(ctx.db, [
      [`mail:ip:${ctx.clientIp}`, limits.mailRequestsPerIp],
      [`mail:${input.email}`, limits.mailsPerAddress],
    ]);
    await inviteColleague(ctx.db, ctx.actor, input, ctx.publicUrl);
  }),
});
