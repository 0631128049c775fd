import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema";
import { TEST_PASSWORD } from "../../tests/factories/people";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { lastMailTo } from "../../tests/helpers/mail";
import { recordAudit, type AuditAction } from "./audit";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
});
afterEach(() => t.close());

const as = (user: Parameters<typeof callerAs>[1]) => callerAs(t.db, user).caller;
/** callerAs gives every caller this address. */
const IP = "192.0.2.1";
const entries = (action?: AuditAction) =>
  t.db
    .select()
    .from(auditLog)
    .where(action ? eq(auditLog.action, action) : undefined)
    // Insertion order: entries of the same millisecond have random ids.
    .orderBy(sql`rowid`);

describe("recording", () => {
  it("records a sign-in with the user, role, account and IP, and a sign-out", async () => {
    await as(null).auth.signIn({ email: cast.alda.email, password: TEST_PASSWORD });
    await as(cast.alda).auth.signOut();
    const [signIn, signOut] = await entries();
    expect(signIn).toMatchObject({
      action: "auth.sign_in",
      actorId: cast.alda.id,
      actorEmail: cast.alda.email,
      actorRole: "customer",
      accountId: cast.accountA,
      ip: IP,
    });
    expect(signOut).toMatchObject({ action: "auth.sign_out", actorId: cast.alda.id, ip: IP });
  });

  it("records failed sign-ins, known address or not, with the attempted email and never the password", async () => {
    const anonymous = as(null);
    await expect(
      anonymous.auth.signIn({ email: cast.agent.email, password: "guess-one-two" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      anonymous.auth.signIn({ email: "Nobody@Example.com", password: "guess-three" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const failed = await entries("auth.sign_in_failed");
    expect(failed.map((e) => e.detail)).toEqual([
      { email: cast.agent.email },
      { email: "nobody@example.com" },
    ]);
    for (const e of failed) {
      expect(e).toMatchObject({ actorId: null, actorEmail: null, actorRole: null, ip: IP });
      expect(JSON.stringify(e)).not.toContain("guess");
    }
    expect(await entries("auth.sign_in")).toEqual([]);
  });

  it("records staff actions on a request with what changed, never the message", async () => {
    const request = await as(cast.alda).portal.requests.create({
      subject: "Broken zip",
      message: "It broke",
    });
    const agent = as(cast.agent);
    await agent.staff.requests.reply({
      id: request.id,
      kind: "note",
      message: "secret note text",
      attachments: [],
    });
    await agent.staff.requests.reply({
      id: request.id,
      kind: "public",
      message: "reply body text",
      status: "resolved",
      attachments: [],
    });
    await agent.staff.requests.update({ id: request.id, priority: "urgent", status: "open" });
    const rows = await entries();
    const onRequest = rows.filter((e) => e.subjectId === request.id);
    expect(onRequest.map((e) => e.action)).toEqual([
      "request.noted",
      "request.replied",
      "request.updated",
    ]);
    for (const e of onRequest)
      expect(e).toMatchObject({
        actorId: cast.agent.id,
        actorRole: "agent",
        subjectType: "request",
        accountId: cast.accountA,
      });
    expect(onRequest[1]!.detail).toMatchObject({
      changes: { status: { from: "open", to: "resolved" } },
    });
    expect(onRequest[2]!.detail).toMatchObject({
      changes: {
        priority: { from: "normal", to: "urgent" },
        status: { from: "resolved", to: "open" },
      },
    });
    expect(JSON.stringify(rows)).not.toMatch(/secret note text|reply body text/);
  });

  it("records admin actions: invitations, joining, deactivation, keys, sites and settings", async () => {
    const admin = as(cast.admin);
    await admin.staff.admin.inviteStaff({ name: "Nýr", email: "new@example.com", role: "agent" });
    const mail = (await lastMailTo(t.db, "new@example.com"))!;
    await as(null).auth.acceptStaffInvite({ token: mail.token!, password: "a long new password" });
    const [invited] = await entries("staff.invited");
    expect(invited).toMatchObject({
      actorId: cast.admin.id,
      actorRole: "admin",
      subjectType: "user",
      detail: { email: "new@example.com", role: "agent" },
    });
    const [joined] = await entries("staff.joined");
    expect(joined).toMatchObject({
      actorId: invited!.subjectId,
      actorEmail: "new@example.com",
      actorRole: "agent",
      subjectId: invited!.subjectId,
      ip: IP,
    });

    await admin.staff.admin.setStaffActive({ id: cast.agent.id, active: false });
    await admin.staff.admin.setStaffActive({ id: cast.agent.id, active: true });
    const { id: keyId } = await admin.staff.apiKeys.create({ name: "Shop" });
    await admin.staff.apiKeys.revoke({ id: keyId });
    const siteId = await admin.staff.sites.create({
      name: "Shop",
      allowedOrigins: ["https://shop.example.com"],
    });
    await admin.staff.sites.update({
      id: siteId,
      name: "Shop",
      allowedOrigins: ["https://shop.example.com"],
      color: "#112233",
    });
    await admin.staff.sites.rotate({ id: siteId });
    const targets = await admin.staff.admin.targets();
    await admin.staff.admin.setTargets({ ...targets, urgent: 30 });

    const rows = await entries();
    const actions = rows.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "staff.deactivated",
        "staff.reactivated",
        "api_key.created",
        "api_key.revoked",
        "site.created",
        "site.updated",
        "site.secret_rotated",
        "settings.targets_changed",
      ]),
    );
    expect(rows.find((e) => e.action === "staff.deactivated")).toMatchObject({
      subjectId: cast.agent.id,
      detail: { email: cast.agent.email },
    });
    expect(rows.find((e) => e.action === "api_key.revoked")).toMatchObject({
      subjectType: "api_key",
      subjectId: keyId,
      detail: { name: "Shop" },
    });
    expect(rows.find((e) => e.action === "site.updated")!.detail).toEqual({
      name: "Shop",
      changes: { color: { from: "#0f5b66", to: "#112233" } },
    });
    expect(rows.find((e) => e.action === "settings.targets_changed")!.detail).toEqual({
      changes: { urgent: { from: targets.urgent, to: 30 } },
    });
    // The key itself and the site's secret never reach the log.
    expect(JSON.stringify(rows)).not.toMatch(/tsk_|identitySecret/);
  });

  it("records nothing when the change is refused", async () => {
    const admin = as(cast.admin);
    await expect(admin.staff.apiKeys.revoke({ id: "no-such-key" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      admin.staff.admin.setStaffActive({ id: cast.admin.id, active: false }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      as(cast.alda).account.changePassword({
        currentPassword: "not my password",
        newPassword: "another long password",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const request = await as(cast.alda).portal.requests.create({ subject: "S", message: "M" });
    // A valid change with an invalid one in the same call: the transaction writes neither.
    await expect(
      as(cast.agent).staff.requests.update({
        id: request.id,
        priority: "urgent",
        assigneeId: "no-such-agent",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await entries()).toEqual([]);
  });

  it("records a customer's password change, data download and deletion, and keeps them after the user is gone", async () => {
    const alda = as(cast.alda);
    await alda.account.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword: "another long password",
    });
    await alda.account.exportData();
    await alda.account.delete({ password: "another long password" });
    const rows = await entries();
    expect(rows.map((e) => e.action)).toEqual([
      "auth.password_changed",
      "account.exported",
      "account.deleted",
    ]);
    for (const e of rows)
      expect(e).toMatchObject({
        actorId: cast.alda.id,
        actorEmail: cast.alda.email,
        actorRole: "customer",
        subjectType: "user",
        subjectId: cast.alda.id,
        accountId: cast.accountA,
      });
  });

  it("records feedback downloads once per download, not per page", async () => {
    const agent = as(cast.agent);
    await agent.staff.feedback.stream({ limit: 10, forExport: true, from: 0, to: 1000 });
    await agent.staff.feedback.stream({ limit: 10, forExport: true, cursor: "WzAsIngiXQ" });
    await agent.staff.feedback.stream({ limit: 10 });
    const rows = await entries();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: "feedback.exported",
      actorId: cast.agent.id,
      detail: { from: 0, to: 1000 },
    });
  });
});

/** The messages of the error a write failed with, its causes included ("" when it did not fail). */
async function refusal(write: Promise<unknown>): Promise<string> {
  try {
    await write;
    return "";
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(" / ");
  }
}

describe("append-only", () => {
  it("refuses UPDATE and DELETE on the log, and the entry stays as it was", async () => {
    await recordAudit(t.db, { userId: null, ip: "198.51.100.7" }, { action: "auth.sign_out" });
    expect(await refusal(t.db.run(sql`update audit_log set ip = '10.0.0.1'`))).toMatch(
      /append-only/,
    );
    expect(await refusal(t.db.run(sql`delete from audit_log`))).toMatch(/append-only/);
    expect(await refusal(t.db.delete(auditLog))).toMatch(/append-only/);
    const rows = await entries();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ip).toBe("198.51.100.7");
  });

  it("keeps long detail values short", async () => {
    await recordAudit(
      t.db,
      { userId: null },
      { action: "site.created", detail: { name: "x".repeat(5000) } },
    );
    const [row] = await entries();
    expect((row!.detail as { name: string }).name).toHaveLength(200);
  });
});

describe("listing", () => {
  /** Entries at fixed times, a minute apart, oldest first. */
  async function seed(n: number) {
    const base = Date.UTC(2025, 0, 10, 12);
    for (let i = 0; i < n; i++) {
      await t.db.insert(auditLog).values({
        id: `entry-${String(i).padStart(2, "0")}`,
        at: base + i * 60_000,
        action: i % 2 ? "auth.sign_in" : "api_key.created",
        actorId: i % 2 ? cast.alda.id : cast.admin.id,
        actorEmail: i % 2 ? "alda@a.example" : "ari_admin@example.com",
        actorRole: i % 2 ? "customer" : "admin",
        ip: IP,
        subjectType: i % 2 ? null : "api_key",
        subjectId: i % 2 ? null : `key-${i}`,
        accountId: null,
        detail: null,
      });
    }
    return base;
  }
  const ids = (page: { items: { id: string }[] }) => page.items.map((e) => e.id);

  it("pages through every entry newest first, with none twice or skipped", async () => {
    await seed(7);
    const admin = as(cast.admin).staff.audit;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await admin.list({ limit: 3, cursor });
      seen.push(...ids(page));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `entry-0${i}`));
  });

  it("filters by action, actor email part, subject id and time", async () => {
    const base = await seed(6);
    const list = as(cast.admin).staff.audit.list;
    expect(ids(await list({ action: "auth.sign_in" }))).toEqual([
      "entry-05",
      "entry-03",
      "entry-01",
    ]);
    expect(ids(await list({ actor: "ALDA@" }))).toEqual(["entry-05", "entry-03", "entry-01"]);
    // "_" is an ordinary character, not a LIKE wildcard.
    expect(ids(await list({ actor: "i_a" }))).toEqual(["entry-04", "entry-02", "entry-00"]);
    expect(ids(await list({ actor: "a_i" }))).toEqual([]);
    expect(ids(await list({ subjectId: "key-2" }))).toEqual(["entry-02"]);
    expect(ids(await list({ from: base + 60_000, to: base + 3 * 60_000 }))).toEqual([
      "entry-02",
      "entry-01",
    ]);
    expect(ids(await list({ action: "api_key.revoked" }))).toEqual([]);
  });

  it("refuses bad filters with a clear error", async () => {
    const list = as(cast.admin).staff.audit.list;
    await expect(list({ from: 2000, to: 1000 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { issues: [{ path: ["to"], message: "validation.rangeInvalid" }] },
    });
    await expect(list({ cursor: "not-a-cursor" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "error.invalidCursor",
    });
    await expect(list({ action: "auth.everything" as "auth.sign_in" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(list({ actor: "x".repeat(300) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("is for admins alone", async () => {
    await seed(1);
    await expect(as(cast.agent).staff.audit.list({})).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(as(cast.alda).staff.audit.list({})).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(as(null).staff.audit.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
