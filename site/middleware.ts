// Runs before every page: validates the session cookie once (renewing or clearing it), puts the user, a
// server-side router caller and the locale on Astro.locals, and guards the areas by role.
import { defineMiddleware } from "astro:middleware";
import { LOCALE_COOKIE, pickLocale, translator } from "./i18n";
import { SECURITY_PATH, signInPath } from "./lib/paths";
import { pageServices } from "./lib/services";
import type { Role } from "../db/schema";
import { mustEnrolTwoFactor } from "../server/auth/two-factor-rule";

/** Areas that need a signed-in user, and the roles each admits. */
const guardedAreas: { prefix: string; roles: readonly Role[] }[] = [
  { prefix: "/staff", roles: ["agent", "admin"] },
  { prefix: "/orders", roles: ["customer"] },
  { prefix: "/requests", roles: ["customer"] },
  { prefix: "/feedback", roles: ["customer"] },
  // Before /account: the first matching area wins. Two-factor sign-in is for staff.
  { prefix: "/account/security", roles: ["agent", "admin"] },
  { prefix: "/account", roles: ["customer", "agent", "admin"] },
  { prefix: "/files", roles: ["customer", "agent", "admin"] },
  // Mailed links confirm an address only for the user who asked for them.
  { prefix: "/verify-email", roles: ["customer", "agent", "admin"] },
];

/** The peer's address; Astro throws when the adapter cannot tell it. */
function clientAddress(context: { clientAddress: string }): string | null {
  try {
    return context.clientAddress;
  } catch {
    return null;
  }
}

const inArea = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export const onRequest = defineMiddleware(async (context, next) => {
  const { locals, cookies, url, request } = context;
  const services = pageServices();
  const jar = {
    set: (c: { name: string; value: string; attributes: object }) =>
      cookies.set(c.name, c.value, c.attributes),
  };
  const sessionId = cookies.get(services.sessionCookieName)?.value ?? null;
  const { session, user } = await services.resolveSession(sessionId, jar);

  locals.services = services;
  locals.session = session;
  locals.user = user;
  locals.trpc = services.createCaller({
    session,
    user,
    cookies: jar,
    clientIp: clientAddress(context),
    challengeId: cookies.get(services.challengeCookieName)?.value ?? null,
  });
  locals.locale = pickLocale(
    user?.locale,
    cookies.get(LOCALE_COOKIE)?.value,
    request.headers.get("accept-language"),
  );
  locals.t = translator(locals.locale);

  const area = guardedAreas.find((a) => inArea(url.pathname, a.prefix));
  if (area) {
    if (!user) return context.redirect(signInPath(url.pathname + url.search), 303);
    if (!area.roles.includes(user.role)) return context.rewrite("/403");
    // Admins must have two-factor sign-in: until they enrol, every staff page sends them to do it.
    if (area.prefix === "/staff" && mustEnrolTwoFactor(user))
      return context.redirect(SECURITY_PATH, 303);
  }

  const response = await next();
  // Pages show one person's data: never cache them in shared caches or the back/forward cache of another user.
  if (!response.headers.has("Cache-Control"))
    response.headers.set("Cache-Control", "private, no-store");
  return response;
});
