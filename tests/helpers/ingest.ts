// A company system's side of the ingest API: an API key made through the staff door, and signed PUTs.
import { sign } from "../../server/ingest/signature";
import { apiSignIn, DEMO_ADMIN } from "./two-factor";

/** Signs in as the demo admin over the tRPC door and makes an API key. */
export async function createApiKey(base: string, name = "Test shop"): Promise<string> {
  const cookie = await apiSignIn(base, DEMO_ADMIN);
  const res = await fetch(`${base}/api/trpc/staff.apiKeys.create`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, cookie },
    body: JSON.stringify({ json: { name } }),
  });
  const body = (await res.json()) as { result: { data: { json: { key: string } } } };
  return body.result.data.json.key;
}

export function put(
  base: string,
  key: string,
  path: string,
  body: unknown,
  {
    timestamp = String(Math.floor(Date.now() / 1000)),
    signature,
  }: { timestamp?: string; signature?: string } = {},
) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const signed = { method: "PUT", path: `/api/v1${path}`, body: raw };
  return fetch(`${base}/api/v1${path}`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      "tengsl-timestamp": timestamp,
      "tengsl-signature": signature ?? sign(key, timestamp, signed),
    },
    body: raw,
  });
}
