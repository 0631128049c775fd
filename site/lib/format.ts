// Formatting at the edge, in the viewer's locale: money from integer minor units, dates from epoch ms.
import type { Locale } from "../../db/schema";

const intlLocale: Record<Locale, string> = { en: "en-GB", is: "is-IS" };
// The company is in Iceland; dates show in its time zone whatever the server's own zone is.
const TIME_ZONE = "Atlantic/Reykjavik";

export function formatters(locale: Locale) {
  const tag = intlLocale[locale];
  const date = new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeZone: TIME_ZONE });
  const dateTime = new Intl.DateTimeFormat(tag, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: TIME_ZONE,
  });
  const moneyCache = new Map<string, Intl.NumberFormat>();
  const regions = new Intl.DisplayNames([tag], { type: "region" });
  return {
    date: (ms: number) => date.format(ms),
    dateTime: (ms: number) => dateTime.format(ms),
    number: (n: number) => new Intl.NumberFormat(tag).format(n),
    /** An ISO 3166 country code as the country's name. */
    country: (code: string) => regions.of(code) ?? code,
    /** Integer minor units in `currency` (ISK has none, EUR two), formatted as money. */
    money(minor: number, currency: string) {
      let format = moneyCache.get(currency);
      if (!format) {
        format = new Intl.NumberFormat(tag, { style: "currency", currency });
        moneyCache.set(currency, format);
      }
      return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
    },
  };
}

/** A YYYY-MM-DD date input as epoch ms at the start of that day in the company's zone (UTC in Iceland). */
export function dayStart(value: string | null): number | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
