import type { APIRoute } from "astro";

export const POST: APIRoute = async ({ locals, redirect }) => {
  await locals.trpc.account.resendVerification();
  return redirect("/?resent", 303);
};
