import { describe, expect, it } from "vitest";

import { formatYen, groupDigits, ppmToPercent } from "./format";

describe("ppmToPercent", () => {
  it("writes the API's exact 4-place percentage", () => {
    expect(ppmToPercent(100)).toBe("0.0100");
    expect(ppmToPercent(9_900)).toBe("0.9900");
    expect(ppmToPercent(600_000)).toBe("60.0000");
    expect(ppmToPercent(1_000_000)).toBe("100.0000");
    expect(ppmToPercent(1)).toBe("0.0001");
    expect(ppmToPercent(0)).toBe("0.0000");
  });
  it("refuses fractions of a ppm rather than rounding them", () => {
    expect(() => ppmToPercent(0.5)).toThrow(RangeError);
    expect(() => ppmToPercent(-1)).toThrow(RangeError);
  });
});

describe("formatYen", () => {
  it("formats whole yen with separators", () => {
    expect(formatYen(3000)).toMatch(/3,000/);
    expect(() => formatYen(0.1 + 0.2)).toThrow(RangeError);
  });
});

describe("groupDigits", () => {
  it("groups the API's decimal text without turning it into a float", () => {
    expect(groupDigits("2225142")).toBe("2,225,142");
    expect(groupDigits("7417.14")).toBe("7,417.14");
    expect(groupDigits("123456789012345678901234567890")).toBe("123,456,789,012,345,678,901,234,567,890");
    expect(groupDigits("10/3")).toBe("10/3");
  });
});
