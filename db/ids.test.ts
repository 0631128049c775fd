import { describe, expect, it } from "vitest";
import { newId } from "./ids";

describe("newId", () => {
  it("gives URL-safe ids that never repeat, with 72 random bits across many draws", () => {
    const at = Date.UTC(2026, 11, 7, 12);
    const ids = Array.from({ length: 5_000 }, () => newId(at));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Made in the same millisecond, ids share their first 8 characters; every later one varies.
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(1);
    for (let i = 8; i < 20; i++) expect(new Set(ids.map((id) => id[i])).size).toBeGreaterThan(32);
  });

  it("sorts ids as the times they were made, as text and as SQLite compares them", () => {
    const times = [0, 1, 63, 64, 4095, 1_700_000_000_000, 1_796_000_000_001, Date.UTC(2400, 0, 1)];
    const ids = times.map((t) => newId(t));
    expect([...ids].sort()).toEqual(ids);
    // Byte order, as SQLite's BINARY collation: no locale rule may reorder "-", "_" or case.
    expect([...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(ids);
    expect(newId(Date.now()) > newId(Date.now() - 1)).toBe(true);
  });
});
