import { createServer, request, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { initTRPC, TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError, errorShape, retryAfterOf } from "./errors";
import { plainJsonDoor } from "./plain-json-door";

const t = initTRPC
  .context<{ caller: string }>()
  .create({ isDev: false, errorFormatter: errorShape });
const stored: string[] = [];
const router = t.router({
  echo: t.procedure
    .input(z.object({ word: z.string().max(10) }))
    .query(({ ctx, input }) => ({ word: input.word, caller: ctx.caller })),
  store: t.procedure.input(z.object({ word: z.string() })).mutation(({ input }) => {
    stored.push(input.word);
  }),
  crash: t.procedure.mutation(() => {
    throw new Error("secret detail at /srv/app.ts:12:3");
  }),
  throttled: t.procedure.mutation(() => {
    const refusal = new DomainError("TOO_MANY_REQUESTS", "widget.tooMany", undefined, 42);
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: refusal.messageKey, cause: refusal });
  }),
});

const failures: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const door = plainJsonDoor({
    router,
    basePath: "/door/",
    maxBodySize: 1024,
    createContext: (req) => ({ caller: String(req.headers["x-caller"] ?? "nobody") }),
    errorHeaders: (error): Record<string, string> => {
      const wait = retryAfterOf([error]);
      return wait === undefined ? {} : { "Retry-After": String(wait) };
    },
    onError: (error, path) => failures.push(`${path} ${error.code}`),
  });
  server = createServer((req, res) => void door(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const input = (value: unknown) => `?input=${encodeURIComponent(JSON.stringify(value))}`;
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/door/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
async function answer(res: Response) {
  const body: unknown = await res.json();
  return { status: res.status, type: res.headers.get("content-type"), body };
}
/** What an error's answer holds (toMatchObject: a part of it). */
const error = (code: string, httpStatus: number, path: string, messageKey: string) => ({
  error: { message: messageKey, data: { code, httpStatus, path, messageKey } },
});

describe("plainJsonDoor", () => {
  it("answers a query from its ?input= and a mutation from its body, as tRPC's own adapter does", async () => {
    const query = await fetch(`${base}/door/echo${input({ word: "halló" })}`, {
      headers: { "x-caller": "widget" },
    });
    expect(await answer(query)).toEqual({
      status: 200,
      type: "application/json",
      body: { result: { data: { word: "halló", caller: "widget" } } },
    });
    // A mutation with nothing to return answers an empty result.
    expect(await answer(await post("store", JSON.stringify({ word: "kept" })))).toEqual({
      status: 200,
      type: "application/json",
      body: { result: {} },
    });
    expect(stored).toEqual(["kept"]);
    // Percent-escapes in the name are decoded; a media type's case and parameters do not matter.
    const escaped = await fetch(`${base}/door/ech%6F${input({ word: "a" })}`);
    expect(escaped.status).toBe(200);
    const charset = await post("store", JSON.stringify({ word: "too" }), {
      "content-type": "Application/JSON; charset=utf-8",
    });
    expect(charset.status).toBe(200);
    expect(stored).toEqual(["kept", "too"]);
  });

  it("gives bad input the router's error shape with the input's field, and runs nothing", async () => {
    const res = await post("store", JSON.stringify({ word: 7 }));
    expect(await answer(res)).toMatchObject({
      status: 400,
      body: {
        error: { data: { code: "BAD_REQUEST", fieldErrors: { word: ["error.invalidField"] } } },
      },
    });
    for (const body of ["{not json", "[1,", ""]) {
      expect(await answer(await post("store", body)), body).toMatchObject({
        status: 400,
        body: { error: { data: { code: "BAD_REQUEST" } } },
      });
    }
    const badQuery = await fetch(`${base}/door/echo?input=%7Bnope`);
    expect(badQuery.status).toBe(400);
    expect(stored).toEqual(["kept", "too"]);
  });

  it("refuses unknown names (prototype ones too), other methods, batches and non-JSON bodies", async () => {
    for (const path of ["nope", "__proto__", "constructor", "toString", "", "echo/more", "%00"]) {
      const res = await fetch(`${base}/door/${path}${input({ word: "a" })}`);
      expect(await answer(res), path).toMatchObject({
        status: 404,
        body: error("NOT_FOUND", 404, decodeURIComponent(path), "error.notFound"),
      });
    }
    // A malformed escape names nothing at all.
    const malformed = await fetch(`${base}/door/ech%E0%A4%A${input({ word: "a" })}`);
    expect(await answer(malformed)).toMatchObject({
      status: 400,
      body: { error: { data: { code: "BAD_REQUEST" } } },
    });
    const get = await fetch(`${base}/door/store`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const put = await fetch(`${base}/door/store`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    const postQuery = await post("echo", JSON.stringify({ word: "a" }));
    expect(postQuery.status).toBe(405);
    expect(postQuery.headers.get("allow")).toBe("GET");
    const batch = await fetch(
      `${base}/door/echo?batch=1${input({ 0: { word: "a" } }).replace("?", "&")}`,
    );
    expect(await answer(batch)).toMatchObject({
      status: 400,
      body: error("BAD_REQUEST", 400, "echo", "error.unexpected"),
    });
    // Only batch=1 asks for a batch, as in tRPC.
    const single = await fetch(
      `${base}/door/echo?batch=0${input({ word: "a" }).replace("?", "&")}`,
    );
    expect(single.status).toBe(200);
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await post("store", JSON.stringify({ word: "no" }), { "content-type": type });
      expect(res.status, type).toBe(415);
    }
    expect(stored).toEqual(["kept", "too"]);
  });

  it("refuses a body over the limit, declared or streamed, and the connection carries the next request", async () => {
    const declared = await post("store", JSON.stringify({ word: "x".repeat(2000) }));
    expect(await answer(declared)).toMatchObject({
      status: 413,
      body: error("PAYLOAD_TOO_LARGE", 413, "store", "error.tooLarge"),
    });
    // Chunked, with no length declared: refused once the limit is passed, on the same socket as the
    // request after it.
    const agent = new (await import("node:http")).Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string[], chunked: boolean) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${base}/door/store`, {
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            ...(chunked ? {} : { "content-length": Buffer.byteLength(body.join("")) }),
          },
        });
        req.on("response", (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("error", reject);
        for (const part of body) req.write(part);
        req.end();
      });
    const streamed = await send(['{"word":"', "y".repeat(800), "y".repeat(800), '"}'], true);
    expect(streamed.status).toBe(413);
    const next = await send([JSON.stringify({ word: "after" })], false);
    expect(next.status).toBe(200);
    agent.destroy();
    expect(stored).toEqual(["kept", "too", "after"]);
  });

  it("counts a client that left during the body, or before it was read, as gone, not as a failure", async () => {
    const gone = failures.length;
    // Half a declared body, then the socket closes.
    const socket = connect(Number(new URL(base).port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      "POST /door/store HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n" +
        '{"word":"half',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await expect.poll(() => failures.slice(gone)).toEqual(["store CLIENT_CLOSED_REQUEST"]);

    // A door reached only after the client left (another part of the server awaited first): its
    // request never ends, and the door must still settle.
    const settled: string[] = [];
    const late = plainJsonDoor({
      router,
      basePath: "/door/",
      maxBodySize: 1024,
      createContext: () => ({ caller: "late" }),
      onError: (error, path) => settled.push(`${path} ${error.code}`),
    });
    const lateServer = createServer((req, res) => {
      req.socket.once("close", () =>
        setTimeout(() => void late(req, res).then(() => settled.push("done")), 50),
      );
    });
    await new Promise<void>((resolve) => lateServer.listen(0, "127.0.0.1", resolve));
    const port = (lateServer.address() as AddressInfo).port;
    const client = connect(port, "127.0.0.1");
    await new Promise((resolve) => client.once("connect", resolve));
    const body = JSON.stringify({ word: "late" });
    client.write(
      `POST /door/store HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.destroy();
    await expect.poll(() => settled).toEqual(["store CLIENT_CLOSED_REQUEST", "done"]);
    await new Promise((resolve) => lateServer.close(resolve));
    expect(stored).not.toContain("late");
    expect(stored).not.toContain("half");
  });

  it("rejects only when an error's answer cannot be made, for its caller's last resort", async () => {
    const broken = initTRPC.create({
      errorFormatter: () => {
        throw new Error("the formatter failed");
      },
    });
    const door = plainJsonDoor({
      router: broken.router({ ping: broken.procedure.query(() => "pong") }),
      basePath: "/",
      maxBodySize: 1024,
      createContext: () => ({}),
    });
    const lastResort: unknown[] = [];
    const brokenServer = createServer((req, res) => {
      door(req, res).catch((failure: unknown) => {
        lastResort.push(failure);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => brokenServer.listen(0, "127.0.0.1", resolve));
    const at = `http://127.0.0.1:${(brokenServer.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${at}/ping`)).status).toBe(200);
      expect((await fetch(`${at}/nope`)).status).toBe(500);
      expect(lastResort).toHaveLength(1);
    } finally {
      await new Promise((resolve) => brokenServer.close(resolve));
    }
  });

  it("hides an internal error behind its key and tells onError; a throttle's refusal carries Retry-After", async () => {
    const crash = await post("crash", "");
    const text = await crash.text();
    expect(crash.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject(
      error("INTERNAL_SERVER_ERROR", 500, "crash", "error.unexpected"),
    );
    expect(text).not.toMatch(/secret|app\.ts|\bat /);
    expect(failures).toContain("crash INTERNAL_SERVER_ERROR");

    const throttled = await post("throttled", "");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("42");
    expect(await throttled.json()).toMatchObject(
      error("TOO_MANY_REQUESTS", 429, "throttled", "widget.tooMany"),
    );
  });
});
