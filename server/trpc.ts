// The procedure builders this project allows. Each role builder checks the caller through the same
// actor helpers the services use, and narrows ctx.actor for the procedures built on it.
import { initTRPC, type TRPCError } from "@trpc/server";
import { requireAdmin, requireCustomer, requireSignedIn, requireStaff, type Actor } from "./actor";
import { mustEnrolTwoFactor } from "./auth/two-factor-rule";
import type { Context } from "./context";
import { asTRPCError, DomainError, errorShape, trpcErrorOf } from "./errors";
import { transformer } from "./transformer";

const t = initTRPC.context<Context>().create({
  transformer,
  // Stacks stay in the server log; no caller ever sees one.
  isDev: false,
  errorFormatter: errorShape,
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A middleware's result, with a domain error thrown further in as the tRPC error of the same code. */
async function convertingDomainErrors<R extends { ok: true } | { ok: false; error: TRPCError }>(
  result: Promise<R>,
): Promise<R> {
  const settled = await result;
  if (!settled.ok) throw asTRPCError(settled.error);
  return settled;
}

/**
 * Procedures anyone may call. The role builders below do not build on it (they convert domain errors
 * themselves, in their one middleware): a middleware added here reaches public procedures only.
 */
export const publicProcedure = t.procedure.use(({ next }) => convertingDomainErrors(next()));

/**
 * Admins must have confirmed two-factor sign-in before any staff data answers them: a stolen admin
 * password alone reads nothing. Until then they may only enrol (`enrolmentProcedure`) and manage their own
 * account.
 */
function requireEnrolledIfAdmin(user: Context["user"]) {
  if (mustEnrolTwoFactor(user)) throw new DomainError("FORBIDDEN", "error.twoFactorRequired");
}

/**
 * The caller checked and narrowed, and domain errors converted, in one middleware: each level of
 * tRPC's middleware chain copies the request's context, and every signed-in call passes here.
 * tRPC merges the returned ctx into the request's, so only the narrowed actor is passed on.
 */
const withActor = <A extends Actor>(
  check: (actor: Actor | null) => A,
  { enrolledIfAdmin }: { enrolledIfAdmin: boolean },
) =>
  t.procedure.use(async ({ ctx, next }) => {
    let actor: A;
    try {
      actor = check(ctx.actor);
      if (enrolledIfAdmin) requireEnrolledIfAdmin(ctx.user);
    } catch (error) {
      throw error instanceof DomainError ? trpcErrorOf(error) : error;
    }
    return convertingDomainErrors(next({ ctx: { actor } }));
  });

/** The signed-in person's own account. */
export const authedProcedure = withActor(requireSignedIn, { enrolledIfAdmin: false });
export const customerProcedure = withActor(requireCustomer, { enrolledIfAdmin: false });
/** Enrolling in two-factor sign-in: the one staff door open to an admin who has not enrolled yet. */
export const enrolmentProcedure = withActor(requireStaff, { enrolledIfAdmin: false });
export const staffProcedure = withActor(requireStaff, { enrolledIfAdmin: true });
export const adminProcedure = withActor(requireAdmin, { enrolledIfAdmin: true });
/** Attachments: customers read their own, staff read all (admins once enrolled). */
export const attachmentProcedure = withActor(requireSignedIn, { enrolledIfAdmin: true });
