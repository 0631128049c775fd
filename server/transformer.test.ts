// The answers' transformer: plain answers wrapped as superjson wraps them, anything superjson would
// annotate handed to superjson, and every value read back as superjson's client reads it.
import superjson, { type SuperJSONResult } from "superjson";
import { describe, expect, it } from "vitest";
import { transformer } from "./transformer";

const roundTrip = (value: unknown) =>
  superjson.deserialize(
    JSON.parse(JSON.stringify(transformer.serialize(value))) as SuperJSONResult,
  );

describe("the tRPC transformer", () => {
  it("wraps plain JSON as superjson does, without annotations", () => {
    const page = {
      items: Array.from({ length: 20 }, (_, i) => ({
        id: `o${i}`,
        total: i * 1.5,
        placedAt: 1_700_000_000_000 + i,
        tags: ["a", "b"],
        note: null,
        ok: i % 2 === 0,
      })),
      nextCursor: null,
      nested: Object.assign(Object.create(null) as object, { deep: [[[1]]] }),
    };
    const wrapped: unknown = transformer.serialize(page);
    expect(wrapped).toEqual({ json: page });
    expect(wrapped).toEqual(superjson.serialize(page));
    expect(roundTrip(page)).toEqual(page);
  });

  it.each([
    ["a Date", { at: new Date(1_700_000_000_000) }],
    ["undefined in an object", { a: undefined, b: 1 }],
    ["undefined in an array", [1, undefined]],
    ["NaN", { n: NaN }],
    ["Infinity", [Infinity, -Infinity]],
    ["-0", { zero: -0 }],
    ["a BigInt", { big: 12n }],
    ["a Map", new Map([["k", 1]])],
    ["a Set", { s: new Set([1]) }],
    ["a RegExp", { r: /x/g }],
    ["undefined alone", undefined],
  ])("hands %s to superjson, which keeps its type", (_, value) => {
    expect(transformer.serialize(value)).toEqual(superjson.serialize(value));
    expect(roundTrip(value)).toEqual(value);
  });

  it("leaves keys superjson refuses to superjson, which refuses them", () => {
    for (const key of ["constructor", "prototype"]) {
      const answer = { ok: 1, nested: { [key]: 1 } };
      expect(() => transformer.serialize(answer) as unknown, key).toThrow();
      expect(() => superjson.serialize(answer), key).toThrow();
    }
  });

  it("hands very deep answers to superjson rather than walking them itself", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100; i++) deep = { next: deep };
    expect(transformer.serialize(deep)).toEqual(superjson.serialize(deep));
    expect(roundTrip(deep)).toEqual(deep);
  });

  it("reads inputs as superjson does", () => {
    const input = { from: new Date(5), q: "x" };
    expect(transformer.deserialize(superjson.serialize(input))).toEqual(input);
  });
});
