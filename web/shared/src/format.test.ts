import { describe, expect, it } from "vitest";

import { formatYen, ppmToPercent } from "./format";

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
