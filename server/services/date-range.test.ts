// Every list and figure with a date filter refuses a range whose end is not after its start, beside the
// end date, and answers a range in order.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { supportCast } from "../../tests/factories/requests";
import { callerAs } from "../../tests/helpers/caller";
import { createTestDb, type TestDb } from "../../tests/helpers/db";

let t: TestDb;
let cast: Awaited<ReturnType<typeof supportCast>>;
beforeEach(async () => {
  t = await createTestDb();
  cast = await supportCast(t.db);
});
afterEach(() => t.close());

const DAY = 24 * 60 * 60 * 1000;
const refused = {
  code: "BAD_REQUEST",
  cause: { issues: [{ path: ["to"], message: "validation.rangeInvalid" }] },
};

describe("date ranges", () => {
  const filtered = () => {
    const customer = callerAs(t.db, cast.alda).caller;
    const agent = callerAs(t.db, cast.agent).caller;
    const admin = callerAs(t.db, cast.admin).caller;
    return {
      "portal.orders.list": (range: { from: number; to: number }) =>
        customer.portal.orders.list(range),
      "staff.feedback.analytics": (range: { from: number; to: number }) =>
        agent.staff.feedback.analytics(range),
      "staff.feedback.stream": (range: { from: number; to: number }) =>
        agent.staff.feedback.stream(range),
      "staff.audit.list": (range: { from: number; to: number }) => admin.staff.audit.list(range),
    };
  };

  it.each([
    "portal.orders.list",
    "staff.feedback.analytics",
    "staff.feedback.stream",
    "staff.audit.list",
  ] as const)(
    "%s refuses an end before or at the start, and answers a range in order",
    async (name) => {
      const call = filtered()[name];
      const start = Date.UTC(2026, 10, 1);
      await expect(call({ from: start + DAY, to: start })).rejects.toMatchObject(refused);
      await expect(call({ from: start, to: start })).rejects.toMatchObject(refused);
      await expect(call({ from: start, to: start + DAY })).resolves.toBeDefined();
    },
  );
});
