// `npm start` also serves a demo product page on another origin (DEMO_PORT, default 4322) with the widget
// embedded exactly as a company would paste it, so the cross-origin path is what people see first.
import { createServer, type Server } from "node:http";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { sites } from "../../db/schema";

export const DEMO_SITE_NAME = "Demo shop";

export async function startDemoPage(
  db: Db,
  { port, host, portalUrl }: { port: number; host: string; portalUrl: URL },
): Promise<Server | null> {
  const [site] = await db
    .select({ key: sites.publicKey })
    .from(sites)
    .where(eq(sites.name, DEMO_SITE_NAME));
  if (!site) return null;
  const server = createServer((req, res) => {
    if (req.url === "/favicon.ico") {
      res.writeHead(204);
      return res.end();
    }
    const url = new URL(req.url ?? "/", "http://demo");
    const found = url.pathname === "/";
    res.writeHead(found ? 200 : 404, {
      "Content-Type": "text/html; charset=utf-8",
      // A strict policy, as a careful shop would have: the widget must work under it.
      "Content-Security-Policy": `default-src 'self'; script-src 'self' ${portalUrl.origin}; connect-src 'self' ${portalUrl.origin}; style-src 'self' 'unsafe-inline'; img-src 'self' data:`,
    });
    // "?plain" drops the hostile styles, so tests can compare the widget on both; "?nowidget" leaves
    // the snippet out, so the Lighthouse bench can measure what the widget costs the page.
    res.end(
      found
        ? page(portalUrl.origin, site.key, {
            hostile: !url.searchParams.has("plain"),
            widget: !url.searchParams.has("nowidget"),
          })
        : "Not found",
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return server;
}

const page = (
  portal: string,
  key: string,
  { hostile, widget }: { hostile: boolean; widget: boolean },
) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lopapeysa, hand-knitted · Demo shop</title>
<style>
  ${hostile ? "* { all: unset; } button, div, p, span { font: bold 30px/3 monospace !important; color: red !important; background: yellow !important; }" : ""}
  head, style, script { display: none; }
  body { display: block; font-family: Georgia, serif; margin: 0; background: #fbf7f0; color: #2b2118; }
  main { display: block; max-width: 760px; margin: 0 auto; padding: 48px 24px; }
  h1 { display: block; font-size: 40px; margin: 0 0 12px; }
  p { display: block; font-size: 18px; line-height: 1.6; margin: 0 0 16px; }
  .price { font-size: 28px; font-weight: bold; }
</style>
</head>
<body>
<main>
  <h1>Lopapeysa, hand-knitted</h1>
  <p class="price">34.900 kr.</p>
  <p>This page is another origin than the portal, with hostile global CSS (every element is reset with <em>all: unset</em>) and a strict Content Security Policy. The feedback button in the corner is Tengsl's widget, pasted in with one line.</p>
</main>
${widget ? `<script async src="${portal}/widget/v1/loader.js" data-site="${key}" data-product="LOPI-001"></script>` : ""}
</body>
</html>`;
