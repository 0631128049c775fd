// Translations: the English catalog defines the keys; a key missing from another catalog is a type error.
import type { Locale } from "../../db/schema";
import { en } from "./en";
import { is } from "./is";

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export const supportedLocales = ["en", "is"] as const satisfies readonly Locale[];
export const defaultLocale: Locale = "en";
export const LOCALE_COOKIE = "tengsl_locale";

// Maps, not the catalog objects: an object of hundreds of dotted keys is a hash table V8 reads slowly,
// and a list page asks a label per row.
const catalogs: Record<Locale, ReadonlyMap<string, string>> = {
  en: new Map(Object.entries(en)),
  is: new Map(Object.entries(is)),
};

export const isLocale = (value: unknown): value is Locale =>
  typeof value === "string" && (supportedLocales as readonly string[]).includes(value);

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => {
    const text = catalog.get(key)!;
    return params
      ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m))
      : text;
  };
}

/** The user's setting, then the switcher's cookie, then the browser's languages, then English. */
export function pickLocale(
  userLocale: Locale | null | undefined,
  cookieLocale: string | undefined,
  acceptLanguage: string | null,
): Locale {
  if (userLocale) return userLocale;
  if (isLocale(cookieLocale)) return cookieLocale;
  return fromAcceptLanguage(acceptLanguage) ?? defaultLocale;
}

function fromAcceptLanguage(header: string | null): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split("-")[0], q: q ? Number(q) : 1 };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((r) => r.lang).find(isLocale);
}
