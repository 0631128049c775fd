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
  signedVisitor,
  siteFor,
  siteKeyInput,
  siteStatus,
  submitFeedback,
  widgetRequestInput,
  type FeedbackInput,
} from "../services/widget";
import { refuseBlocked, widgetLimitKey } from "../services/widget-abuse";

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

/** The site, if it is on and the sender is neither blocked nor over the rate limit. */
async function admitted(ctx: WidgetContext, input: Pick<FeedbackInput, "site" | "identity">) {
  const site = await siteFor(ctx.db, input.site, ctx.origin);
  // Blocked senders are refused before they are counted: the busiest-senders list shows who is not yet blocked.
  await refuseBlocked(ctx.db, site, { ip: ctx.ip, visitorId: signedVisitor(site, input.identity) });
  const limit = await hit(ctx.db, widgetLimitKey(site.id, ctx.ip), ctx.rate ?? WIDGET_RATE);
  if (!limit.allowed)
    throw new DomainError(
      "TOO_MANY_REQUESTS",
      "widget.tooMany",
      undefined,
      Math.ceil(limit.retryAfterMs / 1000),
    );
  return site;
}

export const widgetRouter = t.router({
  status: procedure
    .input(siteKeyInput)
    .query(({ ctx, input }) => siteStatus(ctx.db, input.site, ctx.origin)),
  config: procedure
    .input(siteKeyInput)
    .query(async ({ ctx, input }) => publicConfig(await siteFor(ctx.db, input.site, ctx.origin))),
  feedback: procedure
    .input(feedbackInput)
    .mutation(async ({ ctx, input }) => submitFeedback(ctx.db, await admitted(ctx, input), input)),
  request: procedure
    .input(widgetRequestInput)
    .mutation(async ({ ctx, input }) =>
      openWidgetRequest(ctx.db, await admitted(ctx, input), input),
    ),
});

export type WidgetRouter = typeof widgetRouter;
