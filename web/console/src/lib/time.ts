/** Times are shown and typed in Japan time (JST, UTC+9, no daylight saving) and sent with their offset. */

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo", dateStyle: "medium", timeStyle: "short" });
}

/** An instant as a `<input type="datetime-local">` value in JST ("2026-12-04T18:30"). */
export function toJstInput(at: Date | string): string {
  const ms = (typeof at === "string" ? Date.parse(at) : at.getTime()) + 9 * 3_600_000;
  return new Date(ms).toISOString().slice(0, 16);
}

/** A datetime-local value typed in JST (minutes, or seconds) as ISO 8601 with its offset (+09:00). */
export function fromJstInput(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}+09:00`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
