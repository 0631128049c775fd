import type { APIRoute } from "astro";

export const POST: APIRoute = async ({ locals, redirect }) => {
  await locals.trpc.auth.signOut();
  return redirect("/sign-in?signedOut", 303);
};
