import { describe, expect, it } from "vitest";
import { dayStart, formatters } from "./format";

describe("formatters", () => {
  it("formats minor units by the currency's own decimals, in the viewer's locale", () => {
    const is = formatters("is");
    const en = formatters("en");
    // Intl separates amount and currency with a no-break space.
    expect(is.money(1_234_900, "ISK")).toBe("1.234.900\u00a0kr.");
    expect(en.money(1_234_900, "ISK")).toBe("ISK\u00a01,234,900");
    expect(is.money(24_950, "EUR")).toBe("249,50\u00a0EUR");
    expect(en.money(24_950, "EUR")).toBe("€249.50");
  });

  it("formats dates in Icelandic and English", () => {
    const ms = Date.UTC(2026, 10, 27, 14, 5);
    expect(formatters("is").date(ms)).toBe("27. nóv. 2026");
    expect(formatters("en").date(ms)).toBe("27 Nov 2026");
  });
});

describe("dayStart", () => {
  it("reads date inputs and refuses anything else", () => {
    expect(dayStart("2026-11-27")).toBe(Date.UTC(2026, 10, 27));
    expect(dayStart("2026-13-40")).toBeUndefined();
    expect(dayStart("27.11.2026")).toBeUndefined();
    expect(dayStart(null)).toBeUndefined();
  });
});
