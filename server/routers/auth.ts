import { endSession, startSession } from "../auth/cookies";
import { guardLink, guardSignIn, limits, throttle } from "../auth/throttle";
import { authenticate, signInInput, signUp, signUpInput } from "../services/accounts";
import {
  requestPasswordReset,
  requestResetInput,
  resetPassword,
  resetPasswordInput,
} from "../services/identity";
import { acceptStaffInvite } from "../services/admin";
import { recordAudit, recordFailedSignIn } from "../services/audit";
import { publicProcedure, router } from "../trpc";
import { setLocaleInput } from "../services/accounts";
import { DomainError } from "../errors";
import { codeInput, completeSignInChallenge, startSignInChallenge } from "../services/two-factor";

export const authRouter = router({
  /** Who is signed in, or null. */
  me: publicProcedure.query(({ ctx }) =>
    ctx.user
      ? { name: ctx.user.name, email: ctx.user.email, role: ctx.user.role, locale: ctx.user.locale }
      : null,
  ),

  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    await throttle(ctx.db, [
      [`signup:ip:${ctx.clientIp}`, limits.signUpsPerIp],
      [`mail:${input.email}`, limits.mailsPerAddress],
    ]);
    const userId = await signUp(ctx.db, input, ctx.publicUrl);
    await startSession(ctx.auth, ctx.cookies, userId, ctx.session);
    return { role: "customer" as const };
  }),

  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const { userId, role } = await guardSignIn(ctx.db, input.email, ctx.clientIp, () =>
      authenticate(ctx.db, input),
    ).catch((error: unknown) => recordFailedSignIn(ctx.db, input.email, ctx.clientIp, error));
    // With two-factor sign-in there is no session yet: the second step (verifyTwoFactor) makes it.
    const challenge = await startSignInChallenge(ctx.db, userId);
    if (challenge) {
      ctx.cookies.set(ctx.auth.createChallengeCookie(challenge));
      return { role, twoFactor: true };
    }
    await startSession(ctx.auth, ctx.cookies, userId, ctx.session);
    await recordAudit(ctx.db, { userId, role, ip: ctx.clientIp }, { action: "auth.sign_in" });
    return { role, twoFactor: false };
  }),

  /** The second step of a sign-in: a code from the app or a recovery code, for the pending challenge. */
  verifyTwoFactor: publicProcedure.input(codeInput).mutation(async ({ ctx, input }) => {
    if (!ctx.challengeId) throw new DomainError("UNAUTHORIZED", "twoFactor.challengeExpired");
    const { userId, role } = await completeSignInChallenge(
      ctx.db,
      ctx.challengeId,
      input.code,
      Date.now(),
      ctx.clientIp,
    ).catch((error: unknown) => {
      // A challenge that expired or ran out of tries cannot be answered: its cookie goes too.
      if (error instanceof DomainError && error.code === "UNAUTHORIZED")
        ctx.cookies.set(ctx.auth.createBlankChallengeCookie());
      throw error;
    });
    ctx.cookies.set(ctx.auth.createBlankChallengeCookie());
    await startSession(ctx.auth, ctx.cookies, userId, ctx.session);
    await recordAudit(ctx.db, { userId, role, ip: ctx.clientIp }, { action: "auth.sign_in" });
    return { role };
  }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.actor) await recordAudit(ctx.db, ctx.actor, { action: "auth.sign_out" });
    await endSession(ctx.auth, ctx.cookies, ctx.session);
    return { ok: true as const };
  }),

  requestPasswordReset: publicProcedure
    .input(requestResetInput.extend(setLocaleInput.shape))
    .mutation(async ({ ctx, input }) => {
      await throttle(ctx.db, [
        [`mail:ip:${ctx.clientIp}`, limits.mailRequestsPerIp],
        [`mail:${input.email}`, limits.mailsPerAddress],
      ]);
      await requestPasswordReset(ctx.db, input.email, input.locale, ctx.publicUrl);
    }),

  /** An invited staff member chooses a password; the mailed link is the credential. */
  acceptStaffInvite: publicProcedure
    .input(resetPasswordInput)
    .mutation(({ ctx, input }) =>
      guardLink(ctx.db, ctx.clientIp, () => acceptStaffInvite(ctx.db, input, ctx.clientIp)),
    ),

  resetPassword: publicProcedure
    .input(resetPasswordInput)
    .mutation(({ ctx, input }) =>
      guardLink(ctx.db, ctx.clientIp, () => resetPassword(ctx.db, input, ctx.clientIp)),
    ),
});
