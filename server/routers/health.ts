// Public liveness checks: `ping` for load balancers and the benchmark's tRPC floor (F1), `probe` for the
// page floor (F2). Neither reads or reveals anyone's data.
import { probeRows } from "../services/health";
import { publicProcedure, router } from "../trpc";

export const healthRouter = router({
  ping: publicProcedure.query(() => "ok" as const),
  probe: publicProcedure.query(({ ctx }) => probeRows(ctx.db)),
});
