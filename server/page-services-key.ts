/** Where server/main.ts leaves the page services for the Astro middleware (docs/decisions/002). */
export const PAGE_SERVICES = Symbol.for("tengsl.pageServices");
