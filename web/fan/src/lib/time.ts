import type { Lang } from "./i18n";

export function formatDateTime(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(lang === "ja" ? "ja-JP" : "en-GB", {
    timeZone: "Asia/Tokyo",
    dateStyle: "medium",
    timeStyle: "short",
  });
}

/** "2日 3時間 4分" until `iso` (whole minutes, never negative). */
export function countdown(iso: string, now: number, lang: Lang): string {
  const minutes = Math.max(0, Math.floor((Date.parse(iso) - now) / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return lang === "ja" ? `${d}日 ${h}時間 ${m}分` : `${d}d ${h}h ${m}m`;
}
