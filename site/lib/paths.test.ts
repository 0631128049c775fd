import { describe, expect, it } from "vitest";
import { homeFor, safeReturnTo, signInPath, withQuery } from "./paths";

describe("safeReturnTo", () => {
  it("keeps paths on this site", () => {
    expect(safeReturnTo("/staff")).toBe("/staff");
    expect(safeReturnTo("/orders?status=open#x")).toBe("/orders?status=open#x");
  });

  it.each([
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "/\tfoo",
    "staff",
    "",
    null,
    42,
  ])("refuses %j (it could lead off the site)", (value) => {
    expect(safeReturnTo(value)).toBeNull();
  });
});

describe("homeFor and signInPath", () => {
  it("sends customers to the portal and staff to the console", () => {
    expect(homeFor("customer")).toBe("/");
    expect(homeFor("agent")).toBe("/staff");
    expect(homeFor("admin")).toBe("/staff");
  });

  it("carries the page to return to", () => {
    expect(signInPath("/")).toBe("/sign-in");
    expect(signInPath("/staff?view=mine")).toBe("/sign-in?returnTo=%2Fstaff%3Fview%3Dmine");
  });
});

describe("withQuery", () => {
  it("keeps the non-empty parameters, encoded, and gives the bare path without any", () => {
    expect(
      withQuery("/orders", { q: "peysa & húfa", status: "", cursor: null, to: undefined }),
    ).toBe("/orders?q=peysa+%26+h%C3%BAfa");
    expect(withQuery("/orders", { status: "", cursor: null })).toBe("/orders");
  });
});
