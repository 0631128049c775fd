import { createHmac } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { feedback, rateLimits, requests, sites } from "../../db/schema";
import { supportCast } from "../../tests/factories/requests";
import { createUser } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { widgetRouter, WIDGET_RATE } from "../routers/widget";
import { upsertCustomer } from "./ingest";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
let site: typeof sites.$inferSelect;
const shop = "https://shop.example.com";
beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
  const id = await callerAs(t.db, cast.admin).caller.staff.sites.create({
    name: "Shop",
    allowedOrigins: [`${shop}/`],
  });
  site = (await t.db.select().from(sites).where(eq(sites.id, id)))[0]!;
});
afterEach(() => t.close());

const widget = (origin: string | undefined = shop, ip = "198.51.100.7") =>
  widgetRouter.createCaller({ db: t.db, origin, ip });
let n = 0;
const key = () => `key-${String(++n).padStart(12, "0")}`;
const rows = async () => (await t.db.select({ n: count() }).from(feedback))[0]!.n;
const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string; message?: string }) => `${e.code}:${e.message}`,
  );

describe("the widget door", () => {
  it("answers only for a known site key from one of its origins", async () => {
    expect(await widget().config({ site: site.publicKey })).toEqual({
      name: "Shop",
      color: "#0f5b66",
      position: "right",
      allowAnonymous: true,
    });
    expect(await code(widget("https://evil.example").config({ site: site.publicKey }))).toBe(
      "FORBIDDEN:widget.originNotAllowed",
    );
    const noOrigin = widgetRouter.createCaller({ db: t.db, origin: undefined, ip: "198.51.100.7" });
    expect(await code(noOrigin.config({ site: site.publicKey }))).toBe(
      "FORBIDDEN:widget.originNotAllowed",
    );
    expect(await code(widget().config({ site: "ts_unknownkey" }))).toBe(
      "NOT_FOUND:widget.unknownSite",
    );
  });

  it("stores each submission once, however often it is retried", async () => {
    const body = {
      site: site.publicKey,
      idempotencyKey: key(),
      kind: "rating" as const,
      score: 4,
      comment: "Nice",
      product: "LOPI-001",
      pageUrl: "https://shop.example.com/p/1",
    };
    await widget().feedback(body);
    await widget().feedback(body);
    expect(await rows()).toBe(1);
    const [row] = await t.db.select().from(feedback);
    expect(row).toMatchObject({
      kind: "rating",
      score: 4,
      comment: "Nice",
      productRef: "LOPI-001",
      siteId: site.id,
      accountId: null,
    });
  });

  it("links a visitor to their account only with a valid userHash", async () => {
    const { id } = await upsertCustomer(t.db, "CUST-9", {
      kind: "person",
      name: "Known",
      contacts: [],
    });
    const userHash = createHmac("sha256", site.identitySecret).update("CUST-9").digest("hex");
    await widget().feedback({
      site: site.publicKey,
      idempotencyKey: key(),
      kind: "nps",
      score: 9,
      identity: { userId: "CUST-9", userHash },
    });
    expect(
      (await t.db.select({ accountId: feedback.accountId }).from(feedback))[0]!.accountId,
    ).toBe(id);
    const forged = {
      userId: "CUST-9",
      userHash: userHash.replace(/.$/, (c) => (c === "0" ? "1" : "0")),
    };
    expect(
      await code(
        widget().feedback({
          site: site.publicKey,
          idempotencyKey: key(),
          kind: "nps",
          score: 0,
          identity: forged,
        }),
      ),
    ).toBe("UNAUTHORIZED:widget.identityRefused");
    expect(await rows()).toBe(1);
    // The refused try still counts against the sender's limit (its writes rolled back, the count kept).
    const [counter] = await t.db.select({ count: rateLimits.count }).from(rateLimits);
    expect(counter?.count).toBe(2);
  });

  it("refuses anonymous feedback when the site says so, bounds every field, and ignores bots", async () => {
    await t.db.update(sites).set({ allowAnonymous: false });
    expect(
      await code(
        widget().feedback({
          site: site.publicKey,
          idempotencyKey: key(),
          kind: "rating",
          score: 5,
        }),
      ),
    ).toBe("FORBIDDEN:widget.signInRequired");
    await t.db.update(sites).set({ allowAnonymous: true });
    expect(
      await code(
        widget().feedback({
          site: site.publicKey,
          idempotencyKey: key(),
          kind: "rating",
          score: 7,
        }),
      ),
    ).toMatch(/^BAD_REQUEST/);
    expect(
      await code(
        widget().feedback({
          site: site.publicKey,
          idempotencyKey: key(),
          kind: "comment",
          comment: "x".repeat(2001),
        }),
      ),
    ).toMatch(/^BAD_REQUEST/);
    expect(
      await code(
        widget().feedback({
          site: site.publicKey,
          idempotencyKey: "short",
          kind: "rating",
          score: 3,
        }),
      ),
    ).toMatch(/^BAD_REQUEST/);
    expect(
      await widget().feedback({
        site: site.publicKey,
        idempotencyKey: key(),
        kind: "rating",
        score: 5,
        website: "http://spam.example",
      }),
    ).toEqual({ ok: true });
    expect(await rows()).toBe(0);
  });

  it("limits submissions per visitor and site", async () => {
    for (let i = 0; i < WIDGET_RATE.max; i++)
      await widget().feedback({
        site: site.publicKey,
        idempotencyKey: key(),
        kind: "rating",
        score: 5,
      });
    expect(
      await code(
        widget().feedback({
          site: site.publicKey,
          idempotencyKey: key(),
          kind: "rating",
          score: 5,
        }),
      ),
    ).toBe("TOO_MANY_REQUESTS:widget.tooMany");
    // Over the limit nothing is stored, and the try is counted (the busiest-senders list shows it).
    expect(await rows()).toBe(WIDGET_RATE.max);
    const [counter] = await t.db.select({ count: rateLimits.count }).from(rateLimits);
    expect(counter?.count).toBe(WIDGET_RATE.max + 1);
    // The refusal says when the window ends (the door's Retry-After), never more than the window.
    const refusal = await widget()
      .feedback({ site: site.publicKey, idempotencyKey: key(), kind: "rating", score: 5 })
      .catch((e: { cause?: { retryAfter?: number } }) => e.cause?.retryAfter);
    expect(refusal).toBeGreaterThan(0);
    expect(refusal).toBeLessThanOrEqual(WIDGET_RATE.windowMs / 1000);
    expect(
      await code(
        widget(shop, "203.0.113.9").feedback({
          site: site.publicKey,
          idempotencyKey: key(),
          kind: "rating",
          score: 5,
        }),
      ),
    ).toBe("ok");
  });

  it("opens a request in the staff inbox with channel widget, once per key", async () => {
    const body = {
      site: site.publicKey,
      idempotencyKey: key(),
      name: "Gestur",
      email: "Gestur@Example.com",
      subject: "Size?",
      message: "Does it run small?",
      pageTitle: "Lopapeysa",
    };
    const first = await widget().request(body);
    const again = await widget().request(body);
    expect(again.number).toBe(first.number);
    const inbox = await callerAs(t.db, cast.agent).caller.staff.requests.inbox({
      view: "open",
      channel: "widget",
    });
    expect(inbox.items.map((r) => [r.number, r.requesterName])).toEqual([[first.number, "Gestur"]]);
    const [row] = await t.db.select().from(requests);
    expect(row!.requesterEmail).toBe("gestur@example.com");
    expect(await code(widget().request({ ...body, idempotencyKey: key(), email: undefined }))).toBe(
      "BAD_REQUEST:widget.emailRequired",
    );
  });

  it("never files a request under a customer's account on an email alone, only with a signed identity", async () => {
    const { id: accountId } = await upsertCustomer(t.db, "CUST-7", {
      kind: "business",
      name: "Victim ehf.",
      contacts: [{ email: "vera@victim.example.com", name: "Vera", isAdmin: true }],
    });
    const vera = await createUser(t.db, { accountId, email: "vera@victim.example.com" });
    const spoofed = {
      site: site.publicKey,
      idempotencyKey: key(),
      name: "Vera",
      email: "vera@victim.example.com",
      subject: "Please update our bank details",
      message: "See [the portal](https://evil.example/login)",
    };
    await widget().request(spoofed);
    // Staff get the request, in an account of its own; Vera's company never sees it in its portal.
    const [stored] = await t.db.select().from(requests);
    expect(stored!.requesterEmail).toBe("vera@victim.example.com");
    expect(stored!.accountId).not.toBe(accountId);
    expect((await callerAs(t.db, vera).caller.portal.requests.list({})).items).toEqual([]);

    // Signed by the company's server, the same visitor's request is theirs.
    const userHash = createHmac("sha256", site.identitySecret).update("CUST-7").digest("hex");
    await widget().request({
      ...spoofed,
      idempotencyKey: key(),
      identity: { userId: "CUST-7", userHash },
    });
    expect(
      (await callerAs(t.db, vera).caller.portal.requests.list({})).items.map((r) => r.subject),
    ).toEqual(["Please update our bank details"]);
  });
});

describe("sites", () => {
  it("refuse origins that are not bare origins, and rotate keys so old snippets stop", async () => {
    const admin = callerAs(t.db, cast.admin).caller.staff.sites;
    expect(await code(admin.create({ name: "Bad", allowedOrigins: ["shop.example.com"] }))).toMatch(
      /^BAD_REQUEST/,
    );
    expect(
      await code(admin.create({ name: "Bad", allowedOrigins: ["https://shop.example.com/path"] })),
    ).toMatch(/^BAD_REQUEST/);
    await admin.rotate({ id: site.id });
    expect(await code(widget().config({ site: site.publicKey }))).toBe(
      "NOT_FOUND:widget.unknownSite",
    );
    expect(await code(admin.rotate({ id: "nope" }))).toMatch(/^NOT_FOUND/);
    expect(await code(admin.update({ id: "nope", name: "X", allowedOrigins: [shop] }))).toMatch(
      /^NOT_FOUND/,
    );
  });
});
