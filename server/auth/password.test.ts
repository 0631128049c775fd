import { describe, expect, it } from "vitest";
import { hashPassword, verifyNothing, verifyPassword } from "./password";

describe("password hashing", () => {
  it("hashes with argon2id and OWASP's parameters, salted", async () => {
    const a = await hashPassword("a long enough password");
    const b = await hashPassword("a long enough password");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("a long enough password");
    expect(await verifyPassword(stored, "a long enough password")).toBe(true);
    expect(await verifyPassword(stored, "a long enough passworD")).toBe(false);
  });

  it("refuses everything against a malformed stored hash", async () => {
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });

  it("spends a verification on unknown users and always fails", async () => {
    expect(await verifyNothing("tengsl-timing-equaliser")).toBe(false);
  });
});
