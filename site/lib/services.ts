// The server's page services, registered by server/main.ts (docs/decisions/002). Pages reach the
// database only through the router these provide.
import type { PageServices } from "../../server/app";
import { PAGE_SERVICES } from "../../server/page-services-key";

export function pageServices(): PageServices {
  const services = (globalThis as Record<symbol, unknown>)[PAGE_SERVICES];
  if (!services) {
    throw new Error(
      "Tengsl's page services are not registered: start the site with `npm start` or `npm run dev`.",
    );
  }
  return services as PageServices;
}
