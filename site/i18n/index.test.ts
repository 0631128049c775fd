import { describe, expect, it } from "vitest";
import { en } from "./en";
import { is } from "./is";
import { pickLocale, translator } from "./index";

describe("pickLocale", () => {
  it("prefers the user's setting, then the cookie, then the browser, then English", () => {
    expect(pickLocale("is", "en", "en-US")).toBe("is");
    expect(pickLocale(null, "is", "en-US")).toBe("is");
    expect(pickLocale(null, undefined, "is-IS,is;q=0.9,en;q=0.8")).toBe("is");
    expect(pickLocale(null, undefined, null)).toBe("en");
  });

  it("ignores a cookie it does not know and follows the browser's weights", () => {
    expect(pickLocale(null, "fr", "fr-FR, en;q=0.5, is;q=0.9")).toBe("is");
    expect(pickLocale(undefined, undefined, "de, fr;q=0.8")).toBe("en");
    expect(pickLocale(undefined, undefined, "is;q=0, en;q=0.1")).toBe("en");
  });
});

describe("catalogs", () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it("translate every key into Icelandic with the same placeholders", () => {
    for (const [key, text] of Object.entries(en)) {
      const translated = is[key as keyof typeof en];
      expect(translated.trim(), key).not.toBe("");
      expect(placeholders(translated), key).toEqual(placeholders(text));
    }
  });

  it("fill placeholders and leave unknown ones visible", () => {
    expect(translator("is")("home.welcome", { name: "Anna" })).toBe("Velkomin(n), Anna");
    expect(translator("en")("home.welcome")).toBe("Welcome, {name}");
  });
});
