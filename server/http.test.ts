import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { isCrossOriginWrite } from "./http";

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
