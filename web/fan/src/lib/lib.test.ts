import { describe, expect, it } from "vitest";

import { errorMessage } from "./errors";
import { safeNext } from "./navigation";
import { countdown } from "./time";

describe("safeNext", () => {
  it("keeps same-site paths and refuses everything else", () => {
    expect(safeNext("/orders/?id=abc&checkout=done")).toBe("/orders/?id=abc&checkout=done");
    expect(safeNext("//evil.example/")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext("https://evil.example/")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});

describe("countdown", () => {
  it("counts whole minutes and never goes negative", () => {
    const now = Date.parse("2026-12-01T00:00:00Z");
    expect(countdown("2026-12-03T03:04:59Z", now, "ja")).toBe("2日 3時間 4分");
    expect(countdown("2026-11-30T00:00:00Z", now, "en")).toBe("0d 0h 0m");
  });
});

describe("errorMessage", () => {
  it("turns each 409 code into a sentence and names unknown codes", () => {
    expect(errorMessage("EXCHANGE_LIMIT_REACHED", "ja")).toBe("お一人様の交換上限に達しています。");
    expect(errorMessage("SPENDING_CAP_EXCEEDED", "ja")).toContain("今月の利用上限");
    expect(errorMessage("SOMETHING_NEW", "ja")).toContain("SOMETHING_NEW");
  });
});
