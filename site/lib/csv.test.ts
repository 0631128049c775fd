import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "./csv";

describe("csv", () => {
  it("quotes every cell, doubles quotes, and defuses formulas", () => {
    expect(csvLine(["a", 1, null, 'say "hi"'])).toBe('"a","1","","say ""hi"""\r\n');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell("-2+3")).toBe('"\'-2+3"');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
  });
});
