"use client";
import Link from "next/link";

import { formatYen, type Schemas } from "@oshi/shared";

import { tDynamic, useI18n } from "@/lib/i18n";
import { countdown, formatDateTime } from "@/lib/time";

export function GachaCard({ gacha, now }: { gacha: Schemas["GachaSummary"]; now: number }) {
  const { t, lang } = useI18n();
  const upcoming = gacha.sale_state === "upcoming";
  return (
    <li className="card" data-gacha-id={gacha.gacha_id}>
      <h3>
        <Link className="title" href={`/gacha/?id=${gacha.gacha_id}`}>
          {gacha.title}
        </Link>
      </h3>
      <p>
        <span className="muted">{tDynamic(t, `saleState_${gacha.sale_state}`, gacha.sale_state)}</span> · {t("single")}{" "}
        {formatYen(gacha.price_single)} / {t("ten")} {formatYen(gacha.price_ten)}
      </p>
      <p>
        {upcoming ? t("startsIn") : t("endsIn")}:{" "}
        <time dateTime={upcoming ? gacha.starts_at : gacha.ends_at}>
          {countdown(upcoming ? gacha.starts_at : gacha.ends_at, now, lang)}
        </time>{" "}
        <span className="muted">({formatDateTime(upcoming ? gacha.starts_at : gacha.ends_at, lang)})</span>
      </p>
    </li>
  );
}
