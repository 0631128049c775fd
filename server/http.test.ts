import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import type { App } from "./app";
import { isCrossOriginWrite, pickEncoding, securityHeaders } from "./http";

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
