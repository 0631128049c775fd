import { describe, expect, it } from "vitest";
import { newId } from "./ids";

describe("newId", () => {
  it("gives URL-safe 120-bit ids that never repeat, across many draws of random bytes", () => {
    const ids = Array.from({ length: 5_000 }, newId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Every character position varies: no part of an id is fixed or counts up.
    for (let i = 0; i < 20; i++) expect(new Set(ids.map((id) => id[i])).size).toBeGreaterThan(32);
  });
});
