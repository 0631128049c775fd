// The portal and staff router, served at /api/trpc and called server-side by the Astro pages.
import { accountRouter } from "./routers/account";
import { authRouter } from "./routers/auth";
import { filesRouter } from "./routers/files";
import { healthRouter } from "./routers/health";
import { homeRouter } from "./routers/portal/home";
import { ordersRouter } from "./routers/portal/orders";
import { portalFeedbackRouter } from "./routers/portal/feedback";
import { requestsRouter } from "./routers/portal/requests";
import { staffFeedbackRouter } from "./routers/staff/feedback";
import { adminRouter } from "./routers/staff/admin";
import { apiKeysRouter } from "./routers/staff/api-keys";
import { auditRouter } from "./routers/staff/audit";
import { staffRequestsRouter } from "./routers/staff/requests";
import { sitesRouter } from "./routers/staff/sites";
import { staffHomeRouter } from "./routers/staff/home";
import { twoFactorRouter } from "./routers/two-factor";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  account: accountRouter,
  files: filesRouter,
  twoFactor: twoFactorRouter,
  portal: router({
    home: homeRouter,
    orders: ordersRouter,
    requests: requestsRouter,
    feedback: portalFeedbackRouter,
  }),
  staff: router({
    home: staffHomeRouter,
    apiKeys: apiKeysRouter,
    requests: staffRequestsRouter,
    admin: adminRouter,
    sites: sitesRouter,
    feedback: staffFeedbackRouter,
    audit: auditRouter,
  }),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
