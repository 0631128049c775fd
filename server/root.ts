// The portal and staff router, served at /api/trpc and called server-side by the Astro pages.
import { accountRouter } from "./routers/account";
import { authRouter } from "./routers/auth";
import { homeRouter } from "./routers/portal/home";
import { ordersRouter } from "./routers/portal/orders";
import { apiKeysRouter } from "./routers/staff/api-keys";
import { staffHomeRouter } from "./routers/staff/home";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  portal: router({ home: homeRouter, orders: ordersRouter }),
  staff: router({ home: staffHomeRouter, apiKeys: apiKeysRouter }),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
