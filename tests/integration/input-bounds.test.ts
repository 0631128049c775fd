// Every input schema at every door, enumerated from the routers and the ingest route table: each string
// and each array has an upper bound, so no field can carry more than the door's purpose needs.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ingestBodies } from "../../server/ingest/http";
import { appRouter } from "../../server/root";
import { widgetRouter } from "../../server/routers/widget";
import { proceduresOf, unboundedPaths } from "../helpers/schemas";

const schemas = [
  ...proceduresOf(appRouter).map((p) => [`trpc ${p.path}`, p.input] as const),
  ...proceduresOf(widgetRouter).map((p) => [`widget ${p.path}`, p.input] as const),
  ...Object.entries(ingestBodies).map(([route, body]) => [`ingest ${route}`, body] as const),
];

describe("bounded input", () => {
  it.each(schemas)("%s has a maximum for every string and array", (_name, schema) => {
    expect(schema ? unboundedPaths(schema) : []).toEqual([]);
  });

  it("notices an unbounded string, array or open type (the check can fail)", () => {
    expect(
      unboundedPaths(
        z.object({
          a: z.string().trim(),
          b: z.array(z.string().max(5)),
          c: z.string().max(10).optional(),
          d: z.unknown(),
          e: z.string().max(9).pipe(z.email()),
        }),
      ),
    ).toEqual([
      "(input).a: string without max",
      "(input).b: array without max",
      "(input).d: unknown",
    ]);
  });
});
