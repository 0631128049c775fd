// Built assets as browsers fetch them: Astro's hashed CSS and scripts and the widget's panel compressed
// and kept for good, the widget's loader compressed but picked up again within minutes.
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, inject, it } from "vitest";
import { widgetFile } from "../../scripts/widget-sizes.mjs";

const base = inject("baseUrl");
const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  fetch(`${base}${path}`, { method, headers });
const immutable = "public, max-age=31536000, immutable";

async function stylesheetPath(): Promise<string> {
  const html = await (await get("/sign-in")).text();
  const path = /<link[^>]+href="(\/_astro\/[^"]+\.css)"/.exec(html)?.[1];
  if (!path) throw new Error("the sign-in page links no stylesheet");
  return path;
}

describe("Astro's hashed assets", () => {
  it("are sent brotli- or gzip-compressed as the browser allows, with the same bytes inside, kept for good", async () => {
    const path = await stylesheetPath();
    const file = readFileSync(`dist/client${path}`);
    // undici's fetch would decode a compressed body itself: read the raw bytes with node:http instead.
    const raw = async (encoding: string) => {
      const res = await rawGet(path, encoding);
      expect(res.status).toBe(200);
      expect(res.headers["cache-control"]).toBe(immutable);
      expect(res.headers["content-type"]).toBe("text/css; charset=utf-8");
      expect(res.headers.vary).toBe("Accept-Encoding");
      return res;
    };
    const br = await raw("gzip, deflate, br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.body).equals(file)).toBe(true);
    const gz = await raw("gzip");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).equals(file)).toBe(true);
    expect(gz.body.length).toBeLessThan(file.length / 2);
    const plain = await raw("identity");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.equals(file)).toBe(true);
  });

  it("answer a revalidation with 304 and a HEAD request without a body", async () => {
    const path = await stylesheetPath();
    const first = await get(path);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get(path, { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const head = await get(path, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("leave a file that is not there, or a path that climbs out, to Astro's 404 page", async () => {
    for (const path of ["/_astro/nothing.css", "/_astro/../package.json", "/_astro/%2e%2e/x.js"]) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("cache-control")).not.toBe(immutable);
    }
  });
});

describe("the widget's files", () => {
  it("serve the loader compressed and briefly cached, the hashed panel kept for good", async () => {
    const loader = await get("/widget/v1/loader.js");
    expect(loader.status).toBe(200);
    expect(loader.headers.get("cache-control")).toBe("public, max-age=300");
    expect(loader.headers.get("content-encoding")).toBe("gzip");
    expect(loader.headers.get("access-control-allow-origin")).toBe("*");
    const panelName = widgetFile("panel.js");
    expect(await loader.text()).toContain(`/widget/v1/${panelName}`);

    const panel = await get(`/widget/v1/${panelName}`);
    expect(panel.status).toBe(200);
    expect(panel.headers.get("cache-control")).toBe(immutable);
    expect(panel.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await panel.text()).toBe(readFileSync(`dist/widget/${panelName}`, "utf8"));
  });

  it("give a loader cached before a deploy today's panel, but only briefly cached", async () => {
    const today = readFileSync(`dist/widget/${widgetFile("panel.js")}`, "utf8");
    for (const old of ["panel.js", "panel-OLDHASH1.js"]) {
      const res = await get(`/widget/v1/${old}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=300");
      expect(await res.text()).toBe(today);
    }
  });

  it("answer 404 for anything else", async () => {
    for (const path of [
      "/widget/v1/other.js",
      "/widget/v1/panel-x.css",
      "/widget/v1/../main.mjs",
    ]) {
      expect((await get(path)).status).toBe(404);
    }
  });
});

function rawGet(
  path: string,
  encoding: string,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { "accept-encoding": encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
