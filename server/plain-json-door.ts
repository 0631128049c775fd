// The widget's door serves its tRPC router without tRPC's node adapter. That adapter makes a fetch
// Request of every request (URL, Headers, an AbortController, a web stream for the body) and writes the
// Response back through another web stream: for a widget submission that cost the event loop more than
// everything the submission itself does, and held S4 to half of its budget (docs/decisions/035). A
// widget call is one procedure in plain JSON (no transformer, no batching, no streaming), so this door
// speaks only that part of tRPC's HTTP protocol, as tRPC's own adapter answers it:
// - a query is GET with its input as JSON in `?input=`, a mutation POST with a JSON body;
// - the answer is `{"result":{"data":…}}`, or `{"error":…}` with the status tRPC gives the error's code.
// The procedures, their middlewares, input parsing and error shapes stay tRPC's own (callTRPCProcedure,
// getTRPCErrorShape with the router's errorFormatter).
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  type AnyRouter,
  type inferRouterContext,
} from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";

export interface PlainJsonDoorOptions<TRouter extends AnyRouter> {
  router: TRouter;
  /** The path the procedures' names follow, ending in "/" ("/api/widget/"). */
  basePath: string;
  /** A larger body is refused with 413, and the rest of it discarded unparsed. */
  maxBodySize: number;
  createContext: (req: IncomingMessage) => inferRouterContext<TRouter>;
  /** Headers for an error's answer (a throttle's Retry-After). */
  errorHeaders?: (error: TRPCError) => Record<string, string>;
  onError?: (error: TRPCError, path: string) => void;
}

type ProcedureType = "query" | "mutation";
const methodOf: Record<ProcedureType, string> = { query: "GET", mutation: "POST" };

/**
 * The request listener of a door that serves `router`'s queries and mutations one call per request.
 * Its promise rejects only when the error's answer itself cannot be made (the router's errorFormatter
 * or `errorHeaders` threw): the caller answers that as its last resort.
 */
export function plainJsonDoor<TRouter extends AnyRouter>(
  options: PlainJsonDoorOptions<TRouter>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { router, basePath } = options;
  const procedures = router._def.procedures as Record<string, { _def: { type: string } }>;
  return async (req, res) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    let path = (query === -1 ? url : url.slice(0, query)).slice(basePath.length);
    const params = new URLSearchParams(query === -1 ? "" : url.slice(query + 1));
    let type: ProcedureType | undefined;
    let input: unknown;
    let ctx: unknown;
    try {
      path = procedurePath(path);
      if (params.get("batch") === "1")
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: "Batching is not enabled on the server",
        });
      const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
      const found = procedure?._def.type;
      if (found !== "query" && found !== "mutation")
        throw new TRPCError({ code: "NOT_FOUND", message: `No procedure found on path "${path}"` });
      type = found;
      if (req.method !== methodOf[type]) {
        res.setHeader("Allow", methodOf[type]);
        throw new TRPCError({
          code: "METHOD_NOT_SUPPORTED",
          message: `Unsupported ${req.method}-request to ${type} procedure at path "${path}"`,
        });
      }
      const text =
        type === "query" ? params.get("input") : await jsonBody(req, options.maxBodySize);
      input = text ? parseJson(text) : undefined;
      ctx = options.createContext(req);
      const data: unknown = await callTRPCProcedure({
        router,
        path,
        type,
        ctx,
        getRawInput: () => Promise.resolve(input),
        signal: undefined,
        batchIndex: 0,
      });
      send(res, 200, { result: data === undefined ? {} : { data } });
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError?.(error, path);
      const shape: unknown = getTRPCErrorShape({
        config: router._def._config as Parameters<typeof getTRPCErrorShape>[0]["config"],
        error,
        type: type ?? "unknown",
        path,
        input,
        ctx,
      });
      for (const [name, value] of Object.entries(options.errorHeaders?.(error) ?? {}))
        res.setHeader(name, value);
      send(res, getHTTPStatusCodeFromError(error), { error: shape });
    }
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(json),
  });
  res.end(json);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "The input is not JSON", cause });
  }
}

/** The procedure a path names, its percent-escapes decoded (a malformed one is refused, as tRPC does). */
function procedurePath(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch (cause) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Invalid URL-encoding in path", cause });
  }
}

/**
 * A POST's body as text, if it says it is JSON (as tRPC asks) and is no larger than `max`; a larger one
 * is refused as soon as that is known, from its Content-Length or as it arrives.
 */
function jsonBody(req: IncomingMessage, max: number): Promise<string> {
  // A client that went away is no failure of ours (499, not logged): before the door began to read
  // (the request is then destroyed, and would never end), or while it read.
  const closed = () => new TRPCError({ code: "CLIENT_CLOSED_REQUEST" });
  if (req.destroyed) throw closed();
  const type = req.headers["content-type"]?.split(";", 1)[0]?.trim().toLowerCase();
  if (type !== "application/json")
    throw new TRPCError({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: type ? `Unsupported content-type "${type}"` : "Missing content-type header",
    });
  const tooLarge = () => new TRPCError({ code: "PAYLOAD_TOO_LARGE" });
  if (Number(req.headers["content-length"] ?? 0) > max) throw tooLarge();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      // The stream keeps flowing with no listener: the rest is discarded as it comes, and the connection
      // carries the answer and the next request.
      req.off("data", onData).off("end", onEnd);
      reject(tooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size).toString("utf8"));
    // A request whose client goes away mid-body emits "error" (aborted).
    req
      .on("data", onData)
      .on("end", onEnd)
      .once("error", () => reject(closed()));
  });
}
