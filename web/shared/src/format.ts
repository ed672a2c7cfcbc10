/**
 * Money and rates as the API gives them. Rates are integers in parts per million (ppm); a percentage is
 * ppm / 10 000, written out exactly with string arithmetic (never floating point: 0.1 + 0.2 must not
 * reach a fan's screen as 0.30000000000000004).
 */

const yen = new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" });
const integer = new Intl.NumberFormat("ja-JP");

export function formatYen(amount: number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`yen must be an integer, got ${amount}`);
  return yen.format(amount);
}

export function formatCount(value: number): string {
  return integer.format(value);
}

/** The API's own percentage text: 9900 → "0.9900", 600000 → "60.0000", 1 → "0.0001" (exact, 4 places). */
export function ppmToPercent(ppm: number): string {
  if (!Number.isSafeInteger(ppm) || ppm < 0) throw new RangeError(`ppm must be a non-negative integer, got ${ppm}`);
  const digits = ppm.toString().padStart(5, "0");
  return `${Number(digits.slice(0, -4))}.${digits.slice(-4)}`;
}

/** Sum of ppm values, checked to stay an integer. */
export function sumPpm(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Thousands separators on the API's decimal text ("2225142" → "2,225,142", "7417.14" → "7,417.14"), exactly. */
export function groupDigits(decimal: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(decimal);
  if (!match) return decimal;
  return `${match[1]}${match[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${match[3] ?? ""}`;
}
