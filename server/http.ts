// The one request listener: it sends /api/trpc to tRPC's node adapter and everything else (pages and
// static files) to Astro's handler, with security headers and origin checks on the way.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { WIDGET_RATE, widgetRouter } from "./routers/widget";
import { allAllowedOrigins } from "./services/sites";
import type { App } from "./app";
import { createHttpContext } from "./context";
import type { TRPCError } from "@trpc/server";
import { retryAfterOf } from "./errors";
import { createIngestHandler, INGEST_PATH } from "./ingest/http";
import { appRouter } from "./root";

/** A throttle's refusal (429) tells the client when to try again, at both tRPC doors. */
function retryAfterHeader({ errors }: { errors: TRPCError[] }) {
  const retryAfter = retryAfterOf(errors);
  return retryAfter === undefined ? {} : { headers: { "Retry-After": String(retryAfter) } };
}
export const TRPC_PATH = "/api/trpc";
export const WIDGET_PATH = "/api/widget";
export const WIDGET_ASSETS_PATH = "/widget/v1/";
/** Portal API bodies are small JSON; anything larger is refused with 413 before it is parsed. */
export const TRPC_MAX_BODY_BYTES = 100 * 1024;
export const PAGE_MAX_BODY_BYTES = 60 * 1024 * 1024;

const writeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * True when a browser sends a state-changing request from another site. Browsers always send Origin on
 * POST; a request without Origin or Sec-Fetch-Site comes from a non-browser client, which cannot ride
 * on a visitor's cookie.
 */
export function isCrossOriginWrite(req: IncomingMessage, publicOrigin: string): boolean {
  if (!writeMethods.has(req.method ?? "GET")) return false;
  const origin = req.headers.origin;
  if (origin) return origin !== publicOrigin;
  const site = req.headers["sec-fetch-site"];
  return site !== undefined && site !== "same-origin" && site !== "none";
}

export function securityHeaders(app: App): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
  // Vite's development client injects inline scripts, so the policy is on for built servers only.
  if (!app.config.dev) {
    headers["Content-Security-Policy"] = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join("; ");
  }
  if (app.config.publicUrl.protocol === "https:") {
    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  }
  return headers;
}

export function createRequestListener(app: App, astroHandler: RequestListener): RequestListener {
  const publicOrigin = app.config.publicUrl.origin;
  const headers = Object.entries(securityHeaders(app));
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PATH}/`,
    maxBodySize: TRPC_MAX_BODY_BYTES,
    createContext: ({ req, res }) => createHttpContext(app, req, res),
    responseMeta: retryAfterHeader,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
      }
    },
  });

  const widget = createHTTPHandler({
    router: widgetRouter,
    basePath: `${WIDGET_PATH}/`,
    maxBodySize: 16 * 1024,
    createContext: ({ req }) => ({
      db: app.db,
      origin: req.headers.origin,
      ip: req.socket.remoteAddress ?? null,
      rate: { ...WIDGET_RATE, max: app.config.widgetRatePer10Minutes },
    }),
    responseMeta: retryAfterHeader,
    onError({ error }) {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error("Widget request failed:", error.cause ?? error);
    },
  });
  const ingest = createIngestHandler(app.db, {
    publicUrl: app.config.publicUrl,
    rate: { max: app.config.ingestRatePerMinute, windowMs: 60_000 },
  });

  return (req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    const path = (req.url ?? "/").split("?")[0] ?? "/";

    // The widget on company pages: other origins, no cookies; CORS only for origins some site allows.
    if (path === WIDGET_PATH || path.startsWith(`${WIDGET_PATH}/`))
      return void widgetDoor(app, req, res, widget);
    if (path.startsWith(WIDGET_ASSETS_PATH))
      return void serveWidgetAsset(path.slice(WIDGET_ASSETS_PATH.length), res);

    // Company systems: no cookies, so no origin check; the key and signature authenticate each request.
    if (path === INGEST_PATH || path.startsWith(`${INGEST_PATH}/`)) return void ingest(req, res);

    if (path === TRPC_PATH || path.startsWith(`${TRPC_PATH}/`)) {
      if (isCrossOriginWrite(req, publicOrigin)) return refuseCrossOrigin(res);
      res.setHeader("Cache-Control", "no-store");
      return trpc(req, res);
    }

    // Pages take forms with up to five 10 MB attachments; anything far larger is refused unread. A body
    // without a declared length (chunked) could grow without bound while Astro buffers it: browsers
    // always declare form posts' length, so such bodies are refused.
    if (Number(req.headers["content-length"] ?? 0) > PAGE_MAX_BODY_BYTES) return tooLarge(res);
    if (req.headers["transfer-encoding"] && req.headers["content-length"] === undefined)
      return lengthRequired(res);

    // Astro builds Astro.url, and checks form posts' Origin, from the Host header. PUBLIC_URL is the
    // truth about where Tengsl is reached, so a client's Host or X-Forwarded-* headers never decide it.
    req.headers.host = app.config.publicUrl.host;
    req.headers["x-forwarded-proto"] = app.config.publicUrl.protocol.slice(0, -1);
    delete req.headers["x-forwarded-host"];
    delete req.headers["x-forwarded-port"];
    // No proxy is trusted yet, so the peer address (rate limits) is the socket's, never a header's.
    delete req.headers["x-forwarded-for"];
    return astroHandler(req, res);
  };
}

async function widgetDoor(
  app: App,
  req: IncomingMessage,
  res: ServerResponse,
  handler: RequestListener,
) {
  res.removeHeader("Content-Security-Policy");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Vary", "Origin");
  const origin = req.headers.origin;
  const allowed = origin !== undefined && (await allAllowedOrigins(app.db)).has(origin);
  if (allowed) {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Allow-Methods", "GET, POST");
    res.setHeader("Access-Control-Allow-Headers", "content-type");
    res.setHeader("Access-Control-Max-Age", "600");
  }
  if (req.method === "OPTIONS") {
    res.writeHead(allowed ? 204 : 403);
    return res.end();
  }
  if (!allowed) {
    res.writeHead(403, { "Content-Type": "application/json" });
    return res.end(
      JSON.stringify({
        error: {
          message: "widget.originNotAllowed",
          code: -32003,
          data: {
            code: "FORBIDDEN",
            httpStatus: 403,
            messageKey: "widget.originNotAllowed",
            fieldErrors: {},
          },
        },
      }),
    );
  }
  handler(req, res);
}

/** The widget's loader and panel, built by `npm run build` into dist/widget; public, cached, CORS-open. */
const widgetDir = fileURLToPath(new URL("../dist/widget/", import.meta.url));
async function serveWidgetAsset(name: string, res: ServerResponse) {
  if (!/^[\w.-]+\.js$/.test(name)) {
    res.writeHead(404);
    return res.end();
  }
  try {
    const body = await readFile(join(widgetDir, name));
    res.removeHeader("Content-Security-Policy");
    res.writeHead(200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
      // The loader's URL is pasted into pages and must pick up fixes; the panel is fetched by the loader.
      "Cache-Control": name === "loader.js" ? "public, max-age=300" : "public, max-age=3600",
    });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
}

function lengthRequired(res: ServerResponse): void {
  res.writeHead(411, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
  res.end("Send the form with a Content-Length.");
}

function tooLarge(res: ServerResponse): void {
  res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
  res.end("The form is too large to send.");
}

function refuseCrossOrigin(res: ServerResponse): void {
  res.writeHead(403, { "Content-Type": "application/json" });
  res.end(
    JSON.stringify({
      error: { code: "FORBIDDEN", message: "Cross-origin requests are not allowed on this door." },
    }),
  );
}
