// The running application's parts, made once at start: database, auth, router caller. server/main.ts
// registers what the Astro pages need under a well-known global, because Astro's node handler has no
// way to pass it in (docs/decisions/002).
import type { Db } from "../db/client";
import { resolveSession, type CookieJar } from "./auth/cookies";
import { CHALLENGE_COOKIE, createAuth, SESSION_COOKIE, type Auth } from "./auth/session";
import type { Config } from "./config";
import { LiveEvents } from "./events/live";
import { contextFor } from "./context";
import { describeError } from "./errors";
import { PAGE_SERVICES } from "./page-services-key";
import { createCaller } from "./root";

export interface App {
  config: Config;
  db: Db;
  auth: Auth;
  live: LiveEvents;
}

export function createApp(config: Config, db: Db): App {
  return {
    config,
    db,
    auth: createAuth(db, { secure: config.publicUrl.protocol === "https:" }),
    live: new LiveEvents(db),
  };
}

/** What the Astro middleware and pages use: sessions, the router called server-side, error text. */
export function pageServices(app: App) {
  return {
    sessionCookieName: SESSION_COOKIE,
    challengeCookieName: CHALLENGE_COOKIE,
    filesDir: app.config.filesDir,
    resolveSession: (sessionId: string | null, cookies: CookieJar) =>
      resolveSession(app.auth, sessionId, cookies),
    createCaller: (request: Parameters<typeof contextFor>[1]) =>
      createCaller(contextFor(app, request)),
    describeError,
  };
}

export type PageServices = ReturnType<typeof pageServices>;
export type Caller = ReturnType<PageServices["createCaller"]>;

export function registerPageServices(services: PageServices): void {
  (globalThis as Record<symbol, unknown>)[PAGE_SERVICES] = services;
}
