// Reads the zod schemas the doors validate with: which strings and arrays have no upper bound, and
// fast-check arbitraries of inputs that are roughly valid (so fuzzing gets past validation) or hostile.
import fc from "fast-check";
import type { AnyRouter } from "@trpc/server";
import type { z } from "zod";

type Schema = z.core.$ZodType;
interface Def {
  type: string;
  [key: string]: unknown;
}
const defOf = (s: Schema) => s._zod.def as unknown as Def;
/** Length and range limits and the string format, read from the schema's checks. */
function bagOf(s: Schema) {
  const def = defOf(s);
  const bag: { minimum?: number; maximum?: number; format?: string } = {
    format: def.format as string | undefined,
  };
  const checks = (def.checks ?? []) as { _zod: { def: Record<string, unknown> } }[];
  for (const { _zod } of checks) {
    const c = _zod.def;
    if (c.check === "max_length" || c.check === "length_equals")
      bag.maximum = Math.min(bag.maximum ?? Infinity, Number(c.maximum ?? c.length));
    if (c.check === "min_length" || c.check === "length_equals")
      bag.minimum = Math.max(bag.minimum ?? 0, Number(c.minimum ?? c.length));
    if (c.check === "less_than") bag.maximum = Number(c.value);
    if (c.check === "greater_than") bag.minimum = Number(c.value);
    if (c.check === "string_format") bag.format ??= c.format as string;
  }
  return bag;
}

/** Every procedure of a router with its input schema (undefined when it takes none). */
export function proceduresOf(router: AnyRouter): { path: string; type: string; input?: Schema }[] {
  const procedures = router._def.procedures as Record<
    string,
    { _def: { type: string; inputs: Schema[] } }
  >;
  return Object.entries(procedures).map(([path, p]) => ({
    path,
    type: p._def.type,
    input: p._def.inputs[0],
  }));
}

/**
 * Paths inside a schema where a string or an array has no maximum length, or where an input type is
 * open-ended (any, unknown, records with string keys). A pipe is bounded when its input side is.
 */
export function unboundedPaths(schema: Schema, path = "(input)"): string[] {
  const def = defOf(schema);
  const inner = (key: string, at = path) => unboundedPaths(def[key] as Schema, at);
  switch (def.type) {
    case "string":
      return bagOf(schema).maximum === undefined ? [`${path}: string without max`] : [];
    case "array":
      return [
        ...(bagOf(schema).maximum === undefined ? [`${path}: array without max`] : []),
        ...inner("element", `${path}[]`),
      ];
    case "object": {
      const shape = def.shape as Record<string, Schema>;
      return Object.entries(shape).flatMap(([k, v]) => unboundedPaths(v, `${path}.${k}`));
    }
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return inner("innerType");
    case "pipe":
      return defOf(def.in as Schema).type === "transform" ? inner("out") : inner("in");
    case "union":
      return (def.options as Schema[]).flatMap((o) => unboundedPaths(o, path));
    case "intersection":
      return [...inner("left"), ...inner("right")];
    case "record":
      return [...inner("keyType", `${path}{key}`), ...inner("valueType", `${path}{}`)];
    case "any":
    case "unknown":
      return [`${path}: ${def.type}`];
    default:
      // enum, literal, number, boolean, custom (instanceof): fixed size.
      return [];
  }
}

/** A string that may be anything a hostile client sends: markup, unicode, control characters, huge. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\uD800",
    "__proto__",
    "constructor",
    "<img src=x onerror=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "javascript:alert(1)",
    "' OR 1=1 --",
    "%00%2e%2e%2f",
    "9".repeat(400),
    "-1",
    "NaN",
    "1e309",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ǅ ﷽",
  ),
  fc.integer({ min: 1, max: 5 }).map((n) => "x".repeat(n * 30_000)),
);

/** Values of the wrong shape altogether: deep nesting, prototype keys, odd numbers. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
  }),
  nastyString,
  fc.constantFrom(
    null,
    undefined,
    Number.NaN,
    Infinity,
    -Infinity,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    [],
    {},
    JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
    Object.create(null) as object,
  ),
  fc.integer({ min: 50, max: 2000 }).map((depth) => {
    let v: unknown = "deep";
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);

/**
 * Inputs that pass a schema more often than not: strings within their lengths (emails and ids drawn
 * from `pool` where one is given), numbers within their range, enum members, the right shapes.
 */
export function validish(schema: Schema, pool: string[] = []): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const bag = bagOf(schema);
  const inner = (key: string) => validish(def[key] as Schema, pool);
  switch (def.type) {
    case "string": {
      if (bag.format === "email") return fc.emailAddress();
      const min = bag.minimum ?? 0;
      const max = Math.min(bag.maximum ?? 50, min + 60);
      const text = fc.string({ minLength: min, maxLength: Math.max(min, max) });
      return pool.length > 0 ? fc.oneof(text, fc.constantFrom(...pool)) : text;
    }
    case "number": {
      const min = Math.max(bag.minimum ?? -1000, -1e6);
      const max = Math.min(bag.maximum ?? 1000, 1e6);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case "boolean":
      return fc.boolean();
    case "enum":
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case "literal":
      return fc.constantFrom(...(def.values as unknown[]));
    case "array": {
      const min = bag.minimum ?? 0;
      return fc.array(inner("element"), {
        minLength: min,
        maxLength: Math.min(bag.maximum ?? 3, min + 3),
      });
    }
    case "object": {
      const shape = def.shape as Record<string, Schema>;
      return fc.record(
        Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, validish(v, pool)])),
      );
    }
    case "optional":
      return fc.option(inner("innerType"), { nil: undefined });
    case "nullable":
      return fc.option(inner("innerType"), { nil: null });
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return inner("innerType");
    case "pipe":
      return defOf(def.in as Schema).type === "transform" ? inner("out") : inner("in");
    case "union":
      return fc.oneof(...(def.options as Schema[]).map((o) => validish(o, pool)));
    case "intersection":
      return fc
        .tuple(inner("left"), inner("right"))
        .map(([l, r]) =>
          l && r && typeof l === "object" && typeof r === "object" ? { ...l, ...r } : l,
        );
    case "record":
      return fc.dictionary(inner("keyType") as fc.Arbitrary<string>, inner("valueType"), {
        maxKeys: 5,
      });
    case "custom":
      return fc.uint8Array({ maxLength: 64 });
    default:
      return nastyValue;
  }
}

/** A valid-ish input with one field replaced by a hostile value, or extra keys added. */
export function mutated(schema: Schema, pool: string[] = []): fc.Arbitrary<unknown> {
  return fc
    .tuple(validish(schema, pool), fc.nat(), nastyValue, nastyString)
    .map(([input, pick, value, key]) => {
      if (!input || typeof input !== "object" || Array.isArray(input)) return value;
      const keys = Object.keys(input);
      const copy: Record<string, unknown> = { ...input };
      if (keys.length === 0 || pick % 4 === 0) copy[key] = value;
      else copy[keys[pick % keys.length]!] = value;
      return copy;
    });
}
