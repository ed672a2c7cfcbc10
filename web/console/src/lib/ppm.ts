/**
 * Rates typed as percentages with up to four decimals, stored as integer ppm (1 % = 10 000 ppm), converted
 * with string and integer arithmetic only: "0.0001" is exactly 1 ppm, and no float ever rounds a rate.
 */
import { ppmToPercent } from "@oshi/shared";

export const PPM_TOTAL = 1_000_000;
const PERCENT = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** "12.5" → 125000; null when the text is not a percentage with at most 4 decimals between 0 and 100. */
export function percentToPpm(text: string): number | null {
  const match = PERCENT.exec(text.trim());
  if (!match) return null;
  const ppm = Number(match[1]) * 10_000 + Number((match[2] ?? "").padEnd(4, "0"));
  return ppm <= PPM_TOTAL ? ppm : null;
}

/** The form's text for a ppm value: 125000 → "12.5" (trailing zeros dropped; exact). */
export function ppmToInput(ppm: number): string {
  return ppmToPercent(ppm).replace(/\.?0+$/, "");
}

/** The sum of the valid rates and how far it is from 1,000,000 (positive: still to place). */
export function rateSum(texts: readonly string[]): { total: number; remainder: number; invalid: number[] } {
  let total = 0;
  const invalid: number[] = [];
  texts.forEach((text, index) => {
    const ppm = percentToPpm(text);
    if (ppm === null) invalid.push(index);
    else total += ppm;
  });
  return { total, remainder: PPM_TOTAL - total, invalid };
}

/**
 * The remainder helper: the row the VTuber picked takes what is left so the sum is exactly 1,000,000.
 * Returns the new text for that row, or null when it cannot (the others already exceed 100 %).
 */
export function fillRemainder(texts: readonly string[], row: number): string | null {
  const others = texts.filter((_, index) => index !== row);
  const { total, invalid } = rateSum(others);
  if (invalid.length > 0 || total > PPM_TOTAL) return null;
  return ppmToInput(PPM_TOTAL - total);
}
