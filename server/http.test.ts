import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { CHECK_EVERY_MS } from "../db/versioned-cache";
import { createTestDb } from "../tests/helpers/db";
import { createApp, type App } from "./app";
import { loadConfig } from "./config";
import { createRequestListener, isCrossOriginWrite, pickEncoding, securityHeaders } from "./http";

const origin = "https://portal.example.com";
const req = (method: string, headers: Record<string, string> = {}) =>
  ({ method, headers }) as unknown as IncomingMessage;

describe("isCrossOriginWrite", () => {
  it("lets reads through from anywhere", () => {
    expect(isCrossOriginWrite(req("GET", { origin: "https://evil.example" }), origin)).toBe(false);
  });

  it("refuses writes whose Origin is another site, or a look-alike of ours", () => {
    for (const o of [
      "https://evil.example",
      "http://portal.example.com",
      "https://portal.example.com.evil.example",
      "null",
    ]) {
      expect(isCrossOriginWrite(req("POST", { origin: o }), origin)).toBe(true);
    }
  });

  it("refuses writes a browser marks cross-site even without Origin", () => {
    expect(isCrossOriginWrite(req("POST", { "sec-fetch-site": "cross-site" }), origin)).toBe(true);
    expect(isCrossOriginWrite(req("DELETE", { "sec-fetch-site": "same-site" }), origin)).toBe(true);
  });

  it("admits same-origin writes and non-browser clients", () => {
    expect(isCrossOriginWrite(req("POST", { origin }), origin)).toBe(false);
    expect(isCrossOriginWrite(req("POST", { "sec-fetch-site": "same-origin" }), origin)).toBe(
      false,
    );
    expect(isCrossOriginWrite(req("POST"), origin)).toBe(false);
  });
});

describe("securityHeaders", () => {
  const appAt = (publicUrl: string, dev = false) =>
    ({ config: { publicUrl: new URL(publicUrl), dev } }) as unknown as App;

  it("asks browsers to keep to https only when Tengsl is served over https", () => {
    expect(securityHeaders(appAt("https://portal.example.com"))).toMatchObject({
      "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    });
    expect(securityHeaders(appAt("http://localhost:4321"))).not.toHaveProperty(
      "Strict-Transport-Security",
    );
  });

  it("allows no inline script and no framing, and stops type sniffing and full referrers", () => {
    const headers = securityHeaders(appAt("http://localhost:4321"));
    const csp = headers["Content-Security-Policy"]!.split("; ");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp.join()).not.toContain("unsafe-inline");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
  });
});

describe("pickEncoding", () => {
  it("prefers brotli, then gzip, and sends plain bytes to a client that asks for neither", () => {
    expect(pickEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(pickEncoding("gzip, deflate")).toBe("gzip");
    expect(pickEncoding("deflate")).toBe("identity");
    expect(pickEncoding("")).toBe("identity");
    expect(pickEncoding(undefined)).toBe("identity");
  });

  it("honours q=0 refusals, a wildcard, and ignores case and spaces", () => {
    expect(pickEncoding("br;q=0, gzip")).toBe("gzip");
    expect(pickEncoding("br;q=0, gzip;q=0")).toBe("identity");
    expect(pickEncoding("*")).toBe("br");
    expect(pickEncoding("*;q=0, gzip")).toBe("gzip");
    expect(pickEncoding(" GZIP ; q=0.5 ")).toBe("gzip");
  });

  it("reads a malformed header as asking for nothing it cannot parse", () => {
    expect(pickEncoding("br;q=abc")).toBe("identity");
    expect(pickEncoding(";;,,")).toBe("identity");
  });
});

describe("the widget's door", () => {
  it("refuses another origin, and answers a failed origin check with the error's key, not a crash", async () => {
    const t = await createTestDb();
    const app = createApp(loadConfig({}), t.db);
    const server = createServer(
      createRequestListener(app, (_req, res) => res.writeHead(418).end()),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/widget/feedback`;
    const submit = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://shop.example" },
        body: "{}",
      });
    try {
      const foreign = await submit();
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toEqual({
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
      });
      // The sites can no longer be read (a closed database stands in for a failing one), once the
      // origins kept in memory are due to be checked. Unhandled, the rejection would end the process
      // (and fail this test).
      t.db.$client.close();
      await new Promise((resolve) => setTimeout(resolve, CHECK_EVERY_MS + 50));
      for (const _ of [1, 2]) {
        const failed = await submit();
        expect(failed.status).toBe(500);
        const text = await failed.text();
        expect(JSON.parse(text)).toMatchObject({
          error: { message: "error.unexpected", data: { code: "INTERNAL_SERVER_ERROR" } },
        });
        expect(text).not.toMatch(/closed|libsql|\bat /i);
      }
      // Logged for the operator (tests/setup fails a test on an error it did not expect).
      const logged = vi.mocked(console.error);
      expect(logged.mock.calls.map(([message]) => String(message))).toEqual([
        "Widget request failed:",
        "Widget request failed:",
      ]);
      logged.mockClear();
    } finally {
      await new Promise((resolve) => server.close(resolve));
      t.close();
    }
  });
});
