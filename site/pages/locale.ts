// The language switcher's target: remembers the choice in a cookie, and in the user's settings when
// signed in (the setting wins over the cookie), then goes back to the page.
import type { APIRoute } from "astro";
import { isLocale, LOCALE_COOKIE } from "../i18n";
import { safeReturnTo } from "../lib/paths";
import { readForm } from "../lib/forms";

const ONE_YEAR_S = 365 * 24 * 60 * 60;

export const POST: APIRoute = async ({ request, locals, cookies, redirect, url }) => {
  const form = await readForm(request);
  const back = safeReturnTo(form.returnTo) ?? "/";
  if (!isLocale(form.locale)) return redirect(back, 303);
  cookies.set(LOCALE_COOKIE, form.locale, {
    path: "/",
    maxAge: ONE_YEAR_S,
    sameSite: "lax",
    httpOnly: true,
    secure: url.protocol === "https:",
  });
  if (locals.user) await locals.trpc.account.setLocale({ locale: form.locale });
  return redirect(back, 303);
};
