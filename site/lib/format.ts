// Formatting at the edge, in the viewer's locale: money from integer minor units, dates from epoch ms.
import type { Locale } from "../../db/schema";

const intlLocale: Record<Locale, string> = { en: "en-GB", is: "is-IS" };
// The company is in Iceland; dates show in its time zone whatever the server's own zone is.
export const TIME_ZONE = "Atlantic/Reykjavik";
/** Days whose names a formatter keeps; a list shows few, so more only means a page that asks for many. */
const DAYS_KEPT = 1000;

/**
 * The formatters of a locale, made once per process: building Intl formatters is slow (on the orders
 * page it cost more than the page's query), using them is quick.
 */
export function formatters(locale: Locale): Formatters {
  let made = byLocale.get(locale);
  if (!made) byLocale.set(locale, (made = makeFormatters(locale)));
  return made;
}

type Formatters = ReturnType<typeof makeFormatters>;
const byLocale = new Map<Locale, Formatters>();

function makeFormatters(locale: Locale) {
  const tag = intlLocale[locale];
  const date = new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeZone: TIME_ZONE });
  const dateTime = new Intl.DateTimeFormat(tag, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: TIME_ZONE,
  });
  const number = new Intl.NumberFormat(tag);
  const moneyCache = new Map<string, { format: Intl.NumberFormat; minorPerMajor: number }>();
  const regions = new Intl.DisplayNames([tag], { type: "region" });
  const dayNames = new Map<number, string>();
  return {
    /**
     * The day of an instant, named once per day shown: formatting with a time zone is slow (1.8 µs a
     * row on the orders page), and a list's rows mostly share days. Iceland keeps UTC all year, so the day
     * there is the UTC day.
     */
    date(ms: number) {
      const day = Math.floor(ms / DAY_MS);
      let name = dayNames.get(day);
      if (name === undefined) {
        if (dayNames.size >= DAYS_KEPT) dayNames.clear();
        name = date.format(ms);
        dayNames.set(day, name);
      }
      return name;
    },
    dateTime: (ms: number) => dateTime.format(ms),
    number: (n: number) => number.format(n),
    /** An ISO 3166 country code as the country's name. */
    country: (code: string) => regions.of(code) ?? code,
    /** Integer minor units in `currency` (ISK has none, EUR two), formatted as money. */
    money(minor: number, currency: string) {
      let money = moneyCache.get(currency);
      if (!money) {
        const format = new Intl.NumberFormat(tag, { style: "currency", currency });
        const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
        money = { format, minorPerMajor: 10 ** digits };
        moneyCache.set(currency, money);
      }
      return money.format.format(minor / money.minorPerMajor);
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
