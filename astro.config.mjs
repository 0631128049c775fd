// @ts-check
// Astro renders the portal and staff pages. Its node handler is mounted by server/main.ts (standalone
// mode without autostart), which also owns the API doors, start-up order and shutdown.
import node from "@astrojs/node";
import preact from "@astrojs/preact";
import { defineConfig } from "astro/config";

export default defineConfig({
  srcDir: "./site",
  publicDir: "./site/public",
  output: "server",
  // Pages render whole before they are sent, so an error mid-page becomes the 500 page, not a hung stream.
  adapter: node({ mode: "standalone", experimentalDisableStreaming: true }),
  integrations: [preact()],
  security: {
    checkOrigin: true,
    // server/main.ts replaces the Host header with PUBLIC_URL's host before Astro sees a request, so
    // trusting it here makes Astro.url and the form-post origin check follow PUBLIC_URL at run time.
    allowedDomains: [{}],
  },
  build: {
    // Everything external: the pages' CSP allows no inline script or style.
    inlineStylesheets: "never",
  },
  vite: {
    build: { assetsInlineLimit: 0 },
  },
  devToolbar: { enabled: false },
});
