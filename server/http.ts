// The one request listener: it sends /api/trpc to tRPC's node adapter and everything else (pages and
// static files) to Astro's handler, with security headers and origin checks on the way.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, gzip } from "node:zlib";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { WIDGET_RATE, widgetRouter } from "./routers/widget";
import { plainJsonDoor } from "./plain-json-door";
import { allAllowedOrigins } from "./services/sites";
import type { App } from "./app";
import { createHttpContext } from "./context";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { MessageKey } from "../site/i18n";
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
export const ASTRO_ASSETS_PATH = "/_astro/";
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

  // The busiest public door: one call per request in plain JSON, so it is served without tRPC's node
  // adapter and its fetch Request and Response (server/plain-json-door.ts, docs/decisions/035).
  const widget = plainJsonDoor({
    router: widgetRouter,
    basePath: `${WIDGET_PATH}/`,
    maxBodySize: 16 * 1024,
    createContext: (req) => ({
      db: app.db,
      origin: req.headers.origin,
      ip: req.socket.remoteAddress ?? null,
      rate: { ...WIDGET_RATE, max: app.config.widgetRatePer10Minutes },
    }),
    errorHeaders: (error) => retryAfterHeader({ errors: [error] }).headers ?? {},
    onError(error) {
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
      return void widgetDoor(app, req, res, widget).catch((error: unknown) => {
        // The sites could not be read, or an error's answer could not be made: answered as any
        // failed call is, never left to end the process as an unhandled rejection.
        console.error("Widget request failed:", error);
        if (!res.headersSent) refuseWidgetCall(res, "INTERNAL_SERVER_ERROR", "error.unexpected");
        else res.destroy();
      });
    if (path.startsWith(WIDGET_ASSETS_PATH))
      return void serveWidgetAsset(path.slice(WIDGET_ASSETS_PATH.length), req, res);

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
    if (path.startsWith(ASTRO_ASSETS_PATH) && (req.method === "GET" || req.method === "HEAD"))
      return void serveAstroAsset(path.slice(ASTRO_ASSETS_PATH.length), req, res).then(
        (served) => served || astroHandler(req, res),
        // Nothing is sent before the file is read and compressed: Astro's own static handler takes over.
        () => astroHandler(req, res),
      );
    return astroHandler(req, res);
  };
}

async function widgetDoor(
  app: App,
  req: IncomingMessage,
  res: ServerResponse,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
) {
  res.removeHeader("Content-Security-Policy");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Vary", "Origin");
  const origin = req.headers.origin;
  /** The request's origin, when some site allows it. */
  const allowed =
    origin !== undefined && (await allAllowedOrigins(app.db)).has(origin) ? origin : undefined;
  if (allowed) {
    res.setHeader("Access-Control-Allow-Origin", allowed);
    res.setHeader("Access-Control-Allow-Methods", "GET, POST");
    res.setHeader("Access-Control-Allow-Headers", "content-type");
    res.setHeader("Access-Control-Max-Age", "600");
  }
  if (req.method === "OPTIONS") {
    res.writeHead(allowed ? 204 : 403);
    return res.end();
  }
  if (!allowed) return refuseWidgetCall(res, "FORBIDDEN", "widget.originNotAllowed");
  await handler(req, res);
}

/**
 * A widget call refused before its procedure runs, in the error shape of every widget answer. Built here
 * rather than by the router's errorFormatter: it is also the last resort when that formatter failed.
 */
function refuseWidgetCall(
  res: ServerResponse,
  code: "FORBIDDEN" | "INTERNAL_SERVER_ERROR",
  messageKey: MessageKey,
) {
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code }));
  const data = { code, httpStatus, messageKey, fieldErrors: {} };
  res.writeHead(httpStatus, { "Content-Type": "application/json" });
  res.end(
    JSON.stringify({ error: { message: messageKey, code: TRPC_ERROR_CODES_BY_KEY[code], data } }),
  );
}

/** The widget's loader and panel, built by `npm run build` into dist/widget; public, cached, CORS-open. */
const widgetDir = fileURLToPath(new URL("../dist/widget/", import.meta.url));
async function serveWidgetAsset(name: string, req: IncomingMessage, res: ServerResponse) {
  let asset = /^[\w.-]+\.js$/.test(name) ? await staticAsset(widgetDir, name) : null;
  // The loader's URL is pasted into pages and must pick up fixes within minutes; the panel's name
  // carries a hash of its content (scripts/build.mjs), so browsers may keep it for good.
  let cacheControl = name === "loader.js" ? "public, max-age=300" : IMMUTABLE;
  // A loader cached before a deploy asks for the panel it was built with (or, before hashing, for
  // "panel.js"): it gets today's panel, briefly cached, rather than a widget that cannot open.
  if (!asset && /^panel(-\w+)?\.js$/.test(name)) {
    asset = await currentPanel();
    cacheControl = "public, max-age=300";
  }
  if (!asset) {
    res.writeHead(404);
    return res.end();
  }
  res.removeHeader("Content-Security-Policy");
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
  sendAsset(req, res, asset, cacheControl);
}

async function currentPanel(): Promise<StaticAsset | null> {
  const files = await readdir(widgetDir).catch(() => []);
  const name = files.find((f) => /^panel-\w+\.js$/.test(f));
  return name ? staticAsset(widgetDir, name) : null;
}

/** Astro's hashed build assets (CSS, island scripts): the same files, compressed, kept for good. */
const astroAssetsDir = fileURLToPath(new URL("../dist/client/_astro/", import.meta.url));
async function serveAstroAsset(name: string, req: IncomingMessage, res: ServerResponse) {
  const asset = /^[\w.-]+\.(css|js)$/.test(name) ? await staticAsset(astroAssetsDir, name) : null;
  if (!asset) return false;
  sendAsset(req, res, asset, IMMUTABLE);
  return true;
}

const IMMUTABLE = "public, max-age=31536000, immutable";
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

interface StaticAsset {
  type: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}
/**
 * Built text assets, read and compressed once per process (they change only with a new build): neither
 * Astro's node adapter nor our widget route compresses, and Lighthouse counted 11–17 KB of CSS and
 * script sent uncompressed per page. Files that do not exist are not cached, so a miss costs a stat.
 */
const assets = new Map<string, Promise<StaticAsset | null>>();
function staticAsset(dir: string, name: string): Promise<StaticAsset | null> {
  const path = join(dir, name);
  let asset = assets.get(path);
  if (!asset) {
    // Compressed off the main thread (zlib's pool), so the first request for a file blocks no other.
    asset = readFile(path).then(
      async (identity) => ({
        type: name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
        etag: `"${createHash("sha256").update(identity).digest("base64url").slice(0, 22)}"`,
        identity,
        gzip: await gzipAsync(identity, { level: 9 }),
        br: await brotliAsync(identity),
      }),
      () => null,
    );
    assets.set(path, asset);
    void asset.then((a) => a ?? assets.delete(path));
  }
  return asset;
}

/** The encoding to send for an Accept-Encoding header: brotli, then gzip, else none. */
export function pickEncoding(acceptEncoding: string | undefined): "br" | "gzip" | "identity" {
  const accepted = new Map(
    (acceptEncoding ?? "").split(",").map((part) => {
      const [coding = "", ...params] = part.trim().toLowerCase().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      // A weight that is not a number is no consent to that coding.
      return [coding.trim(), q === undefined ? 1 : Number(q.slice(2)) || 0] as const;
    }),
  );
  const wants = (coding: string) => (accepted.get(coding) ?? accepted.get("*") ?? 0) > 0;
  return wants("br") ? "br" : wants("gzip") ? "gzip" : "identity";
}

function sendAsset(
  req: IncomingMessage,
  res: ServerResponse,
  asset: StaticAsset,
  cacheControl: string,
): void {
  const encoding = pickEncoding(req.headers["accept-encoding"]);
  const body = asset[encoding];
  res.setHeader("Content-Type", asset.type);
  res.setHeader("Cache-Control", cacheControl);
  res.setHeader("ETag", asset.etag);
  res.setHeader("Vary", "Accept-Encoding");
  if (req.headers["if-none-match"] === asset.etag) {
    res.writeHead(304);
    return void res.end();
  }
  if (encoding !== "identity") res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", body.length);
  res.writeHead(200);
  res.end(req.method === "HEAD" ? undefined : body);
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
