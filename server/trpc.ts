// The procedure builders this project allows. Each role builder checks the caller through the same
// actor helpers the services use, and narrows ctx.actor for the procedures built on it.
import { initTRPC } from "@trpc/server";
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

/** Domain errors thrown by services become tRPC errors with the same code. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw asTRPCError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

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
  { enrolledIfAdmin = false } = {},
) =>
  t.procedure.use(async ({ ctx, next }) => {
    let actor: A;
    try {
      actor = check(ctx.actor);
      if (enrolledIfAdmin) requireEnrolledIfAdmin(ctx.user);
    } catch (error) {
      throw error instanceof DomainError ? trpcErrorOf(error) : error;
    }
    const result = await next({ ctx: { actor } });
    if (!result.ok) throw asTRPCError(result.error);
    return result;
  });

/** The signed-in person's own account. */
export const authedProcedure = withActor(requireSignedIn);
export const customerProcedure = withActor(requireCustomer);
/** Enrolling in two-factor sign-in: the one staff door open to an admin who has not enrolled yet. */
export const enrolmentProcedure = withActor(requireStaff);
export const staffProcedure = withActor(requireStaff, { enrolledIfAdmin: true });
export const adminProcedure = withActor(requireAdmin, { enrolledIfAdmin: true });
/** Attachments: customers read their own, staff read all (admins once enrolled). */
export const attachmentProcedure = withActor(requireSignedIn, { enrolledIfAdmin: true });
