import { describe, expect, it } from "vitest";
import { newKey } from "./queue";

describe("newKey", () => {
  it("makes keys the server accepts, unique, with the time first and 80 random bits after it", () => {
    const at = Date.UTC(2026, 11, 7, 12);
    const keys = Array.from({ length: 2_000 }, () => newKey(at));
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.slice(0, 12)))).toEqual(
      new Set([at.toString(16).padStart(12, "0")]),
    );
    for (let i = 12; i < 32; i++) expect(new Set(keys.map((k) => k[i])).size).toBe(16);
  });

  it("sorts keys as the times they were made", () => {
    const times = [0, 15, 16, 1_700_000_000_000, Date.UTC(2400, 0, 1)];
    const keys = times.map((t) => newKey(t));
    expect([...keys].sort()).toEqual(keys);
  });
});
