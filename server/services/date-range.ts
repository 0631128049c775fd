// Date filters of lists and figures: epoch ms, from inclusive, to exclusive. A range whose end is not
// after its start holds no moment at all, so it is refused beside the end date (in every language)
// rather than answered with an empty page that looks like "nothing happened".
import { z } from "zod";

export const dateRangeFields = {
  from: z.number().int().nonnegative().optional(),
  to: z.number().int().nonnegative().optional(),
};

/** The schema, refusing a range whose end is not after its start. */
export const rangeInOrder = <T extends z.ZodType<{ from?: number; to?: number }>>(schema: T) =>
  schema.refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, {
    error: "validation.rangeInvalid",
    path: ["to"],
  });
