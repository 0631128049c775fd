import { describe, expect, it } from "vitest";
import { DAY_MS, dayStart, formatters, TIME_ZONE } from "./format";

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

  it("names each instant's own day, at either edge of a day, in winter and summer", () => {
    const instants = [2001, 2026, 2038].flatMap((year) =>
      [0, 6].flatMap((month) => {
        const start = Date.UTC(year, month, 1);
        return [start - 1, start, start + DAY_MS / 2, start + DAY_MS - 1, start + DAY_MS];
      }),
    );
    for (const locale of ["en", "is"] as const) {
      const cached = formatters(locale);
      const fresh = new Intl.DateTimeFormat(locale === "is" ? "is-IS" : "en-GB", {
        dateStyle: "medium",
        timeZone: TIME_ZONE,
      });
      // Twice: the second time from what the first kept.
      for (const ms of [...instants, ...instants]) expect(cached.date(ms)).toBe(fresh.format(ms));
    }
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
