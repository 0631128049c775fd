import type { APIRoute } from "astro";
import { formErrors } from "../../lib/forms";

export const POST: APIRoute = async ({ locals, redirect, rewrite, request, url }) => {
  try {
    await locals.trpc.account.resendVerification();
  } catch (error) {
    const { retryAfter } = formErrors(locals, error);
    if (retryAfter === undefined) throw error;
    // Too many mails asked for: the home page says how long to wait, answering 429 with Retry-After.
    const headers = new Headers();
    for (const name of ["cookie", "accept-language"]) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const page = await rewrite(
      new Request(new URL(`/?resendWait=${retryAfter}`, url), { headers }),
    );
    const answer = new Response(page.body, { status: 429, headers: page.headers });
    answer.headers.set("Retry-After", String(retryAfter));
    return answer;
  }
  return redirect("/?resent", 303);
};
