/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    user: import("../server/auth/session").User | null;
    session: import("../server/auth/session").Session | null;
    /** The portal and staff router, called server-side as the signed-in user. */
    trpc: import("../server/app").Caller;
    services: import("../server/app").PageServices;
    locale: import("../db/schema").Locale;
    t: import("./i18n").Translate;
  }
}
