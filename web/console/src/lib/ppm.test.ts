import { describe, expect, it } from "vitest";

import { fillRemainder, percentToPpm, ppmToInput, rateSum } from "./ppm";

describe("percentages to ppm, exactly", () => {
  it("converts with up to four decimals and refuses anything else", () => {
    expect(percentToPpm("60")).toBe(600_000);
    expect(percentToPpm("0.0001")).toBe(1);
    expect(percentToPpm("0.99")).toBe(9_900);
    expect(percentToPpm("33.3333")).toBe(333_333);
    expect(percentToPpm("100")).toBe(1_000_000);
    for (const bad of ["", "0.00001", "100.0001", "-1", "1e2", "1,5", "abc", "101"]) expect(percentToPpm(bad)).toBeNull();
  });
  it("writes ppm back without floating point", () => {
    expect(ppmToInput(600_000)).toBe("60");
    expect(ppmToInput(1)).toBe("0.0001");
    expect(ppmToInput(333_334)).toBe("33.3334");
    expect(ppmToInput(0)).toBe("0");
  });
  it("sums 0.1 % + 0.2 % to exactly 3000 ppm and puts the remainder on the chosen row", () => {
    expect(rateSum(["0.1", "0.2"]).total).toBe(3_000);
    const rows = ["33.3333", "33.3333", ""];
    expect(fillRemainder(rows, 2)).toBe("33.3334");
    expect(rateSum(["33.3333", "33.3333", "33.3334"]).remainder).toBe(0);
    expect(fillRemainder(["70", "40", ""], 2)).toBeNull();
  });
});
