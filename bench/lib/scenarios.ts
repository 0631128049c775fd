// The floors and scenarios of issue 7, each as autocannon requests against a running server. Every
// scenario is checked with one real request first: a benchmark of 401s or 404s would measure nothing.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Request as CannonRequest } from "autocannon";
import { openDb } from "../../db/client";
import { accounts, sites, users } from "../../db/schema";
import { sign } from "../../server/ingest/signature";
import { apiSignIn } from "../../tests/helpers/two-factor";
import { newKey } from "../../widget/panel/queue";
import { type Fixture } from "./fixture";

export type FloorId = "F0" | "F1" | "F2";

export interface Scenario {
  id: string;
  title: string;
  floor: FloorId | null;
  requests: CannonRequest[];
  /** Connections for this scenario whatever `--connections` says: a latency budget as one user sees it. */
  connections?: number;
}

/** What the scenarios need from the database itself, read before the server starts. */
export interface DbFacts {
  siteOrigin: string;
  businessExternalId: string;
}

export async function readDbFacts(dbUrl: string, fixture: Fixture): Promise<DbFacts> {
  const db = await openDb({ url: dbUrl });
  try {
    const [site] = await db
      .select({ origins: sites.allowedOrigins })
      .from(sites)
      .where(eq(sites.publicKey, fixture.site.publicKey));
    const siteOrigin = site?.origins[0];
    if (!siteOrigin)
      throw new Error(`No site with public key ${fixture.site.publicKey} and an origin.`);
    const [account] = await db
      .select({ externalId: accounts.externalId })
      .from(users)
      .innerJoin(accounts, eq(users.accountId, accounts.id))
      .where(eq(users.email, fixture.bigAccount.customerEmail));
    if (!account?.externalId)
      throw new Error(
        `${fixture.bigAccount.customerEmail} is not a contact of an account from the ingest API.`,
      );
    return { siteOrigin, businessExternalId: account.externalId };
  } finally {
    db.$client.close();
  }
}

const trpcGet = (procedure: string, input?: unknown) =>
  `/api/trpc/${procedure}` +
  (input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);

async function json<T>(res: Response): Promise<T> {
  if (!res.ok)
    throw new Error(`${res.url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

export function floorScenarios(): Scenario[] {
  return [
    { id: "F0", title: "plain node:http answering ok", floor: null, requests: [{ path: "/" }] },
    {
      id: "F1",
      title: "health.ping through /api/trpc",
      floor: null,
      requests: [{ path: trpcGet("health.ping") }],
    },
    {
      id: "F2",
      title: "/status: Astro page, 20-row query",
      floor: null,
      requests: [{ path: "/status" }],
    },
  ];
}

export async function buildScenarios(
  base: string,
  fixture: Fixture,
  facts: DbFacts,
): Promise<Scenario[]> {
  const customer = await apiSignIn(base, fixture.bigAccount.customerEmail, fixture.password);
  const agent = await apiSignIn(base, fixture.agentEmail, fixture.password);
  const asCustomer = { cookie: customer };
  const asAgent = { cookie: agent };

  // Keyset pages 1–5 of the account's orders, so S1 reads deeper pages too, not only the newest.
  const pages: string[] = [trpcGet("portal.orders.list", { limit: 20 })];
  let cursor: string | null = null;
  for (let i = 0; i < 4; i++) {
    const body: { result: { data: { json: { nextCursor: string | null } } } } = await json(
      await fetch(base + pages.at(-1)!, { headers: asCustomer }),
    );
    cursor = body.result.data.json.nextCursor;
    if (!cursor) break;
    pages.push(trpcGet("portal.orders.list", { limit: 20, cursor }));
  }

  let ingestCounter = 0;
  const run = randomBytes(4).toString("hex");

  return [
    {
      id: "S1",
      title: "portal.orders.list, keyset page of 20",
      floor: "F1",
      requests: pages.map((path) => ({ path, headers: asCustomer })),
    },
    {
      id: "S2",
      title: "/orders page",
      floor: "F2",
      requests: [{ path: "/orders", headers: asCustomer }],
    },
    {
      id: "S3a",
      title: "staff inbox, filtered view",
      floor: "F1",
      requests: [
        { path: trpcGet("staff.requests.inbox", { view: "open" }), headers: asAgent },
        {
          path: trpcGet("staff.requests.inbox", { view: "unassigned", priority: "high" }),
          headers: asAgent,
        },
        {
          path: trpcGet("staff.requests.inbox", { view: "resolved", channel: "widget" }),
          headers: asAgent,
        },
      ],
    },
    {
      id: "S3b",
      title: "staff inbox, full-text search",
      floor: "F1",
      requests: fixture.searchTerms.map(({ term: q }) => ({
        path: trpcGet("staff.requests.inbox", { view: "open", q }),
        headers: asAgent,
      })),
    },
    {
      id: "S4",
      title: "widget feedback, unique idempotency keys",
      floor: "F1",
      requests: [
        {
          method: "POST",
          path: "/api/widget/feedback",
          headers: { "content-type": "application/json", origin: facts.siteOrigin },
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({
              site: fixture.site.publicKey,
              // As the widget makes them (time first), so the index sees what real traffic brings.
              idempotencyKey: newKey(),
              kind: "rating",
              score: 1 + Math.floor(Math.random() * 5),
              pageUrl: `${facts.siteOrigin}/products/bench`,
              locale: "en",
            }),
          }),
        },
      ],
    },
    {
      id: "S5",
      title: "staff.feedback.analytics, 90 days, 1 connection",
      floor: null,
      // A latency budget (p50/p99 with no floor): ten connections on one event loop would measure a
      // queue ten requests long, not what a member of staff opening the page waits (bench/README.md).
      connections: 1,
      requests: [
        {
          headers: asAgent,
          // "The last 90 days" until the moment of each request, as the page asks: a range fixed when
          // the run began would end before the rows S4 and S6 write afterwards, and each request would
          // read those rows one by one to take them away again (decision 025).
          setupRequest: (req) => {
            const at = Date.now();
            const path = trpcGet("staff.feedback.analytics", {
              from: at - 90 * 86_400_000,
              to: at,
            });
            return { ...req, path };
          },
        },
      ],
    },
    {
      id: "S6",
      title: "ingest PUT /api/v1/orders/{id}, signed",
      floor: "F1",
      requests: [
        {
          method: "PUT",
          setupRequest: (req) => {
            const n = ingestCounter++;
            const path = `/api/v1/orders/BENCH-${run}-${n}`;
            const at = Date.now();
            const body = JSON.stringify({
              customerId: facts.businessExternalId,
              number: `B${run}${n}`,
              status: "processing",
              currency: "ISK",
              subtotal: 10_000,
              shipping: 990,
              tax: 2_126,
              discount: 0,
              total: 10_990,
              placedAt: at,
              items: [
                {
                  sku: "BENCH-1",
                  name: "Lopapeysa",
                  quantity: 2,
                  unitPrice: 5_000,
                  lineTotal: 10_000,
                },
              ],
              shipments: [],
              updatedAt: at,
            });
            const timestamp = String(Math.floor(at / 1000));
            return {
              ...req,
              path,
              body,
              headers: {
                authorization: `Bearer ${fixture.apiKey.key}`,
                "content-type": "application/json",
                "tengsl-timestamp": timestamp,
                "tengsl-signature": sign(fixture.apiKey.key, timestamp, {
                  method: "PUT",
                  path,
                  body,
                }),
              },
            };
          },
        },
      ],
    },
  ];
}

/** One request of the scenario, as autocannon would send it: it must answer 2xx. */
export async function preflight(base: string, scenario: Scenario): Promise<void> {
  const first = scenario.requests[0];
  if (!first) throw new Error(`${scenario.id} has no requests`);
  const setup = first.setupRequest as ((r: CannonRequest, c: object) => CannonRequest) | undefined;
  const req = setup ? setup({ ...first }, {}) : first;
  const res = await fetch(base + (req.path ?? "/"), {
    method: req.method ?? "GET",
    headers: req.headers as Record<string, string> | undefined,
    body: req.body as string | undefined,
  });
  if (!res.ok)
    throw new Error(
      `${scenario.id} (${scenario.title}) answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
    );
}
