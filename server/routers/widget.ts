// The widget's own door (/api/widget): a separate tRPC router with no transformer, so the widget talks
// plain JSON with fetch and carries no tRPC or superjson code. Public, CORS per site, rate-limited.
import { initTRPC } from "@trpc/server";
import type { Db } from "../../db/client";
import { hit, type Limit } from "../services/rate-limit";
import { asTRPCError, DomainError, errorShape } from "../errors";
import {
  feedbackInput,
  openWidgetRequest,
  publicConfig,
  siteFor,
  siteKeyInput,
  submitFeedback,
  widgetRequestInput,
} from "../services/widget";

export interface WidgetContext {
  db: Db;
  origin: string | undefined;
  ip: string | null;
  /** Overrides WIDGET_RATE (configuration: WIDGET_RATE_PER_10_MINUTES). */
  rate?: Limit;
}

const t = initTRPC.context<WidgetContext>().create({
  isDev: false,
  errorFormatter: errorShape,
});

const procedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw asTRPCError(result.error);
  return result;
});

/** Submissions per visitor address and site: enough for people, too few for a script. */
export const WIDGET_RATE = { max: 20, windowMs: 10 * 60_000 };

async function throttled(ctx: WidgetContext, siteId: string) {
  const limit = await hit(ctx.db, `widget:${siteId}:${ctx.ip}`, ctx.rate ?? WIDGET_RATE);
  if (!limit.allowed) throw new DomainError("TOO_MANY_REQUESTS", "widget.tooMany");
}

export const widgetRouter = t.router({
  config: procedure
    .input(siteKeyInput)
    .query(async ({ ctx, input }) => publicConfig(await siteFor(ctx.db, input.site, ctx.origin))),
  feedback: procedure.input(feedbackInput).mutation(async ({ ctx, input }) => {
    const site = await siteFor(ctx.db, input.site, ctx.origin);
    await throttled(ctx, site.id);
    return submitFeedback(ctx.db, site, input);
  }),
  request: procedure.input(widgetRequestInput).mutation(async ({ ctx, input }) => {
    const site = await siteFor(ctx.db, input.site, ctx.origin);
    await throttled(ctx, site.id);
    return openWidgetRequest(ctx.db, site, input);
  }),
});

export type WidgetRouter = typeof widgetRouter;
