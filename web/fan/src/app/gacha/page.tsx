"use client";
import Link from "next/link";
import { useEffect, useState } from "react";

import { formatCount, formatYen, RateDisclosure, type Schemas } from "@oshi/shared";

import { BoxTickets, Campaigns, Ceiling, useBox, useMe } from "./Formats";

import { Preview } from "@/components/Preview";
import { ErrorBox, Loading } from "@/components/Status";
import { WithParams } from "@/components/Suspended";
import { api } from "@/lib/api";
import { tDynamic, useI18n } from "@/lib/i18n";
import { formatDateTime } from "@/lib/time";
import { useQueryParam } from "@/lib/useQueryParam";

function GachaView() {
  const id = useQueryParam("id");
  const { t } = useI18n();
  const [gacha, setGacha] = useState<Schemas["GachaDetail"] | null>(null);
  const [readAt, setReadAt] = useState(() => new Date());
  const [state, setState] = useState<"loading" | "ok" | "missing" | "error">("loading");

  useEffect(() => {
    if (!id) return;
    api
      .GET("/api/gachas/{gacha_id}", { params: { path: { gacha_id: id } } })
      .then(({ data, response }) => {
        if (data) {
          setGacha(data);
          setReadAt(new Date());
          setState("ok");
        } else setState(response.status === 404 ? "missing" : "error");
      })
      .catch(() => setState("error"));
  }, [id]);

  if (!id || state === "missing") return <ErrorBox>{t("notFound")}</ErrorBox>;
  if (state === "error") return <ErrorBox />;
  if (!gacha) return <Loading />;
  return <GachaBody gacha={gacha} readAt={readAt} />;
}

function GachaBody({ gacha, readAt }: { gacha: Schemas["GachaDetail"]; readAt: Date }) {
  const { t, lang } = useI18n();
  const box = useBox(gacha);
  const me = useMe(gacha);
  const soldOut = box?.sold_out ?? false;
  const buyable = gacha.sale_state === "on_sale" && !soldOut;
  // a 10-draw on a box with fewer than ten tickets left is refused (NOT_ENOUGH_TICKETS): offer singles only
  // (the detail's own box state until the live count arrives: no 10-draw button flashes on a nearly empty box)
  const tickets = box ?? gacha.box;
  const tenAllowed = !tickets || tickets.remaining - tickets.reserved >= 10;
  const priceTen = me?.price_ten ?? gacha.price_ten;
  return (
    <>
      <h1>{gacha.title}</h1>
      <p>{gacha.description}</p>
      <dl className="facts">
        <dt>{t("salePeriod")}</dt>
        <dd>
          {formatDateTime(gacha.starts_at, lang)} 〜 {formatDateTime(gacha.ends_at, lang)}
        </dd>
        <dt>{t("single")}</dt>
        <dd>{formatYen(gacha.price_single)}</dd>
        <dt>{t("ten")}</dt>
        <dd>{formatYen(gacha.price_ten)}</dd>
        <dt>{t("medalsPerDraw")}</dt>
        <dd>{formatCount(gacha.medals_per_draw)}</dd>
      </dl>
      <p data-testid="sale-state">
        <strong>{tDynamic(t, `saleState_${soldOut ? "sold_out" : gacha.sale_state}`, gacha.sale_state)}</strong>
      </p>
      <BoxTickets gacha={gacha} box={box} lang={lang} />
      <Ceiling gacha={gacha} me={me} lang={lang} />
      <Campaigns gacha={gacha} lang={lang} />
      {buyable && (
        <div className="actions">
          <Link className="button" href={`/purchase/?id=${gacha.gacha_id}&count=1`}>
            {t("buySingle")}（{formatYen(gacha.price_single)}）
          </Link>
          {tenAllowed && (
            <Link className="button" href={`/purchase/?id=${gacha.gacha_id}&count=10`}>
              {t("buyTen")}（{formatYen(priceTen)}
              {me?.first_ten ? (lang === "ja" ? "・初回限定" : ", first 10-draw offer") : ""}）
            </Link>
          )}
        </div>
      )}
      <p>
        <Link href={`/vtuber/?id=${gacha.vtuber_id}`}>{t("byVtuber")}</Link>
      </p>
      <RateDisclosure
        gacha={gacha}
        lang={lang}
        readAt={readAt}
        fairnessHref={`/fairness/?id=${gacha.gacha_id}`}
        renderPreview={(preview, prize) => <Preview preview={preview} name={prize.name} />}
      />
    </>
  );
}

export default function GachaPage() {
  return (
    <WithParams>
      <GachaView />
    </WithParams>
  );
}
