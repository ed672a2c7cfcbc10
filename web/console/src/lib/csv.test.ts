import { describe, expect, it } from "vitest";

import { toCsv } from "./csv";

describe("csv", () => {
  it("quotes what needs quoting and starts with a BOM", () => {
    expect(toCsv([["日付", "売上"], ["2026-12-04", 300], ['a,"b"', null]])).toBe('\uFEFF日付,売上\r\n2026-12-04,300\r\n"a,""b""",\r\n');
  });
});
