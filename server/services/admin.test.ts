import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outbox, users } from "../../db/schema";
import { supportCast } from "../../tests/factories/requests";
import { TEST_PASSWORD } from "../../tests/factories/people";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";
import { lastMailTo } from "../../tests/helpers/mail";
import { createAuth } from "../auth/session";
import { enqueueMail } from "../mail/outbox";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
});
afterEach(() => t.close());

const as = (user: Parameters<typeof callerAs>[1]) => callerAs(t.db, user).caller;

describe("staff administration", () => {
  it("invites an agent, who signs in only after choosing a password from the mailed link", async () => {
    await as(cast.admin).staff.admin.inviteStaff({
      name: "Nýr Agent",
      email: "New.Agent@example.com",
      role: "agent",
    });
    const mail = (await lastMailTo(t.db, "new.agent@example.com"))!;
    expect(mail.subject).toBe("Ari Admin invited you to the support team");
    const anonymous = as(null);
    await expect(
      anonymous.auth.signIn({ email: "new.agent@example.com", password: "!" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      anonymous.auth.acceptStaffInvite({ token: mail.token!, password: "short" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await anonymous.auth.acceptStaffInvite({
      token: mail.token!,
      password: "the agent's password",
    });
    expect(
      await anonymous.auth.signIn({
        email: "new.agent@example.com",
        password: "the agent's password",
      }),
    ).toEqual({ role: "agent", twoFactor: false });
    await expect(
      anonymous.auth.acceptStaffInvite({ token: mail.token!, password: "another password" }),
    ).rejects.toMatchObject({ message: "identity.linkInvalid" });
    await expect(
      as(cast.admin).staff.admin.inviteStaff({
        name: "Dup",
        email: "new.agent@example.com",
        role: "admin",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("deactivates staff: their sessions end at once and they cannot sign in; not oneself", async () => {
    const auth = createAuth(t.db, { secure: false });
    const session = await auth.createSession(cast.agent.id, {});
    await as(cast.admin).staff.admin.setStaffActive({ id: cast.agent.id, active: false });
    expect((await auth.validateSession(session.id)).session).toBeNull();
    await expect(
      as(null).auth.signIn({ email: cast.agent.email, password: TEST_PASSWORD }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await as(cast.agent).staff.requests.staff()).map((s) => s.id)).not.toContain(
      cast.agent.id,
    );
    await as(cast.admin).staff.admin.setStaffActive({ id: cast.agent.id, active: true });
    expect(
      await as(null).auth.signIn({ email: cast.agent.email, password: TEST_PASSWORD }),
    ).toEqual({ role: "agent", twoFactor: false });
  });

  it("changes a staff member's role and ends their sessions, so the new role starts a new one", async () => {
    const auth = createAuth(t.db, { secure: false });
    const session = await auth.createSession(cast.agent.id, {});
    const bystander = await auth.createSession(cast.admin.id, {});
    await as(cast.admin).staff.admin.setStaffRole({ id: cast.agent.id, role: "admin" });
    expect((await auth.validateSession(session.id)).session).toBeNull();
    expect((await auth.validateSession(bystander.id)).session).not.toBeNull();
    const [row] = await t.db.select().from(users).where(eq(users.id, cast.agent.id));
    expect(row!.role).toBe("admin");
    // A new admin without two-factor sign-in meets the requirement on the next sign-in.
    const signedIn = await as(null).auth.signIn({
      email: cast.agent.email,
      password: TEST_PASSWORD,
    });
    expect(signedIn).toEqual({ role: "admin", twoFactor: false });
    await expect(as({ ...cast.agent, role: "admin" }).staff.admin.staff()).rejects.toMatchObject({
      message: "error.twoFactorRequired",
    });
  });

  it("refuses to change one's own role or a customer's, and changes nothing", async () => {
    await expect(
      as(cast.admin).staff.admin.setStaffRole({ id: cast.admin.id, role: "agent" }),
    ).rejects.toMatchObject({ message: "admin.notYourRole" });
    await expect(
      as(cast.admin).staff.admin.setStaffRole({ id: cast.alda.id, role: "admin" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      as(cast.agent).staff.admin.setStaffRole({ id: cast.agent.id, role: "admin" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const roles = await t.db.select({ id: users.id, role: users.role }).from(users);
    expect(roles.find((r) => r.id === cast.admin.id)?.role).toBe("admin");
    expect(roles.find((r) => r.id === cast.alda.id)?.role).toBe("customer");
    expect(roles.find((r) => r.id === cast.agent.id)?.role).toBe("agent");
  });

  it("returns a deactivated agent's open requests to the queue, and mails them no more", async () => {
    const { id } = await as(cast.alda).portal.requests.create({ subject: "Q", message: "M" });
    await as(cast.agent).staff.requests.reply({ id, kind: "public", message: "Answer" }); // assigns the agent
    await as(cast.admin).staff.admin.setStaffActive({ id: cast.agent.id, active: false });
    expect((await as(cast.admin).staff.requests.byId({ id })).assigneeId).toBeNull();
    await as(cast.alda).portal.requests.reply({ id, message: "Hello?" });
    expect(await lastMailTo(t.db, cast.agent.email)).toBeNull();
  });

  it("refuses to deactivate oneself or a customer", async () => {
    await expect(
      as(cast.admin).staff.admin.setStaffActive({ id: cast.admin.id, active: false }),
    ).rejects.toMatchObject({ message: "admin.notYourself" });
    await expect(
      as(cast.admin).staff.admin.setStaffActive({ id: cast.alda.id, active: false }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("manages categories (archived ones leave the customers' list), canned replies and targets", async () => {
    const admin = as(cast.admin).staff.admin;
    await admin.createCategory({ nameEn: "Billing", nameIs: "Reikningar" });
    const [billing] = await admin.categories();
    await admin.archiveCategory({ id: billing!.id, archived: true });
    expect(await as(cast.alda).portal.requests.categories()).toEqual([]);
    await expect(
      as(cast.alda).portal.requests.create({ subject: "S", message: "M", categoryId: billing!.id }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await admin.archiveCategory({ id: billing!.id, archived: false });
    expect((await as(cast.alda).portal.requests.categories()).map((c) => c.nameIs)).toEqual([
      "Reikningar",
    ]);

    await admin.createCannedReply({ title: "Hi", body: "Hello" });
    const [reply] = await admin.cannedReplies();
    await admin.deleteCannedReply({ id: reply!.id });
    await expect(admin.deleteCannedReply({ id: reply!.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });

    await expect(
      admin.setTargets({ urgent: 1, high: 240, normal: 1440, low: 4320 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await admin.setTargets({ urgent: 30, high: 120, normal: 600, low: 2000 });
    expect(await admin.targets()).toEqual({ urgent: 30, high: 120, normal: 600, low: 2000 });
  });

  it("shows admins mail that failed for good, and sends it again on request", async () => {
    await enqueueMail(t.db, { to: "x@example.com", subject: "Lost", text: "t", html: "h" });
    await t.db
      .update(outbox)
      .set({ status: "failed", attempts: 10, lastError: "550 no such user" });
    const [failed] = await as(cast.admin).staff.admin.failedMail();
    expect(failed).toMatchObject({
      to: "x@example.com",
      subject: "Lost",
      lastError: "550 no such user",
    });
    await as(cast.admin).staff.admin.retryMail({ id: failed!.id });
    expect(
      (await t.db.select({ status: outbox.status, attempts: outbox.attempts }).from(outbox))[0],
    ).toEqual({ status: "pending", attempts: 0 });
    expect(await as(cast.admin).staff.admin.failedMail()).toEqual([]);
  });

  it("mails opted-in staff about each new request", async () => {
    await as(cast.admin).staff.admin.setNotifyNewRequests({ on: true });
    await as(cast.alda).portal.requests.create({ subject: "Brand new", message: "M" });
    expect((await lastMailTo(t.db, cast.admin.email))?.subject).toBe(
      "New request #1001: Brand new",
    );
    expect(await lastMailTo(t.db, cast.agent.email)).toBeNull();
    const [row] = await t.db
      .select({ on: users.notifyNewRequests })
      .from(users)
      .where(eq(users.id, cast.admin.id));
    expect(row!.on).toBe(true);
  });
});
