// What tRPC's answers are written with: superjson's wire format, so a Date, Map or undefined sent by a
// procedure reaches the browser as one. Nearly every answer is plain JSON (times are epoch numbers), and
// superjson walks all of it to find nothing to annotate, which on a 20-row page cost as much as the
// JSON itself; a plain answer is wrapped as superjson would wrap it, without the walk (docs/decisions/029).
import type { TRPCDataTransformer } from "@trpc/server";
import superjson, { type SuperJSONResult } from "superjson";

/** Deeper answers go through superjson (which also guards against cycles). */
const MAX_DEPTH = 64;

export const transformer: TRPCDataTransformer = {
  serialize: (value: unknown) =>
    isPlainJson(value, 0) ? { json: value } : superjson.serialize(value),
  deserialize: (value: SuperJSONResult) => superjson.deserialize<unknown>(value),
};

/**
 * True when superjson would find nothing to annotate: strings, booleans, null, finite numbers other than
 * -0, and arrays and plain objects of them.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        // A hole reads as undefined: superjson's to handle.
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key in value) {
        // Keys superjson refuses to write (prototype pollution): its call, and its error.
        if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
