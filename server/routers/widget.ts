// The widget's own door (/api/widget): a separate tRPC router with no transformer, so the widget talks
// plain JSON with fetch and carries no tRPC or superjson code. Public, CORS per site, rate-limited.
// Served one call per request by server/plain-json-door.ts: no batching, no streaming.
import { initTRPC } from "@trpc/server";
import type { Db } from "../../db/client";
import type { Limit } from "../services/rate-limit";
import { asTRPCError, errorShape } from "../errors";
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

/**
 * The site, if it is on and the sender is not blocked, with the quota the submission is counted against
 * (in the submission's own transaction). Blocked senders are refused before they are counted: the
 * busiest-senders list shows who is not yet blocked.
 */
async function admitted(ctx: WidgetContext, input: Pick<FeedbackInput, "site" | "identity">) {
  const site = await siteFor(ctx.db, input.site, ctx.origin);
  await refuseBlocked(ctx.db, site, { ip: ctx.ip, visitorId: signedVisitor(site, input.identity) });
  const quota = { key: widgetLimitKey(site.id, ctx.ip), limit: ctx.rate ?? WIDGET_RATE };
  return [site, quota] as const;
}

export const widgetRouter = t.router({
  status: procedure
    .input(siteKeyInput)
    .query(({ ctx, input }) => siteStatus(ctx.db, input.site, ctx.origin)),
  config: procedure
    .input(siteKeyInput)
    .query(async ({ ctx, input }) => publicConfig(await siteFor(ctx.db, input.site, ctx.origin))),
  feedback: procedure.input(feedbackInput).mutation(async ({ ctx, input }) => {
    const [site, quota] = await admitted(ctx, input);
    return submitFeedback(ctx.db, site, input, quota);
  }),
  request: procedure.input(widgetRequestInput).mutation(async ({ ctx, input }) => {
    const [site, quota] = await admitted(ctx, input);
    return openWidgetRequest(ctx.db, site, input, quota);
  }),
});

export type WidgetRouter = typeof widgetRouter;
