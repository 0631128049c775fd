// The portal and staff router, served at /api/trpc and called server-side by the Astro pages.
import { accountRouter } from "./routers/account";
import { authRouter } from "./routers/auth";
import { homeRouter } from "./routers/portal/home";
import { staffHomeRouter } from "./routers/staff/home";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  portal: router({ home: homeRouter }),
  staff: router({ home: staffHomeRouter }),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
