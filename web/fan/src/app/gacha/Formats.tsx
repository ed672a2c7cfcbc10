"use client";
/**
 * The draw formats on the gacha page (issue 20): a box's tickets left (live, refreshed every 10 s from
 * GET /api/gachas/{id}/box, cached 5 s), the ceiling (天井) rule with the fan's own counter and the
 * first 10-draw discount (GET /api/gachas/{id}/me, signed in only), and the gacha's campaigns.
 */
import { useEffect, useState } from "react";

import { formatCount, formatYen, type Schemas } from "@oshi/shared";

import { api } from "@/lib/api";
import { formatDateTime } from "@/lib/time";

type Lang = "ja" | "en";
type Gacha = Schemas["GachaDetail"];
type Box = Schemas["BoxLive"];
type Me = Schemas["GachaMe"];

const BOX_REFRESH_MS = 10_000;

export function useBox(gacha: Gacha): Box | null {
  const [box, setBox] = useState<Box | null>(null);
  useEffect(() => {
    if (gacha.kind !== "box") return;
    let stop = false;
    const load = () =>
      api
        .GET("/api/gachas/{gacha_id}/box", { params: { path: { gacha_id: gacha.gacha_id } } })
        .then(({ data }) => {
          if (data && !stop) setBox(data);
        })
        .catch(() => undefined);
    void load();
    const timer = setInterval(load, BOX_REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [gacha.gacha_id, gacha.kind]);
  return box;
}

export function useMe(gacha: Gacha): Me | null {
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    api
      .GET("/api/gachas/{gacha_id}/me", { params: { path: { gacha_id: gacha.gacha_id } } })
      .then(({ data }) => setMe(data ?? null))
      .catch(() => setMe(null)); // signed out: nothing personal to show
  }, [gacha.gacha_id]);
  return me;
}

export function BoxTickets({ gacha, box, lang }: { gacha: Gacha; box: Box | null; lang: Lang }) {
  const state = box ?? gacha.box;
  if (!state) return null;
  const ja = lang === "ja";
  return (
    <section aria-labelledby="box-heading" data-testid="box">
      <h2 id="box-heading">{ja ? "BOXの残り" : "Tickets left in the box"}</h2>
      <p data-testid="box-remaining">
        {ja
          ? `残り ${formatCount(state.remaining)} / ${formatCount(state.total)} 枚`
          : `${formatCount(state.remaining)} of ${formatCount(state.total)} tickets left`}
        {box?.sold_out && <strong>{ja ? "（完売）" : " (sold out)"}</strong>}
      </p>
      <div className="table-scroll">
        <table>
          <caption>{ja ? "賞ごとの残り枚数（確率 = 残り枚数 ÷ 全体の残り）" : "Per prize (chance = left ÷ all left)"}</caption>
          <thead>
            <tr>
              <th scope="col">{ja ? "賞" : "Prize"}</th>
              <th scope="col">{ja ? "残り" : "Left"}</th>
            </tr>
          </thead>
          <tbody>
            {state.prizes.map((p) => (
              <tr key={p.prize_id} data-prize-id={p.prize_id}>
                <th scope="row">{p.name}</th>
                <td className="num">
                  {formatCount(p.remaining)} / {formatCount(p.tickets)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {state.last_one && (
        <p data-testid="last-one">
          {ja ? "ラストワン賞" : "Last-one prize"}: {state.last_one.name}
          {state.last_one.awarded ? (ja ? "（獲得されました）" : " (awarded)") : ja ? "（最後の1枚を引いた方に）" : " (to whoever draws the last ticket)"}
        </p>
      )}
    </section>
  );
}

export function Ceiling({ gacha, me, lang }: { gacha: Gacha; me: Me | null; lang: Lang }) {
  if (!gacha.ceiling) return null;
  const ja = lang === "ja";
  const { draws, rarity } = gacha.ceiling;
  return (
    <section aria-labelledby="ceiling-heading" data-testid="ceiling">
      <h2 id="ceiling-heading">{ja ? "天井" : "Ceiling"}</h2>
      <p>
        {ja
          ? `${rarity}が出ないまま${draws - 1}回引くと、${draws}回目は${rarity}の景品から必ず当たります（${rarity}が出ると数え直し）。`
          : `If ${draws - 1} draws in a row bring no ${rarity}, the ${draws}th is drawn among the ${rarity} prizes (the count restarts at every ${rarity}).`}
      </p>
      {me?.ceiling && (
        <p data-testid="ceiling-counter">
          <strong>{ja ? `あと ${me.ceiling.draws_left} 回で天井` : `${me.ceiling.draws_left} more draws to the ceiling`}</strong>
        </p>
      )}
    </section>
  );
}

export function Campaigns({ gacha, lang }: { gacha: Gacha; lang: Lang }) {
  const list = gacha.campaigns ?? [];
  if (list.length === 0) return null;
  const ja = lang === "ja";
  return (
    <section aria-labelledby="campaigns-heading" data-testid="campaigns">
      <h2 id="campaigns-heading">{ja ? "キャンペーン" : "Campaigns"}</h2>
      <ul>
        {list.map((c) => (
          <li key={c.campaign_id}>
            <strong>{c.title}</strong>{" "}
            {c.kind === "medal_multiplier"
              ? ja
                ? `メダル${c.multiplier}倍`
                : `medals x${c.multiplier}`
              : ja
                ? `初回10連 ${formatYen(c.price_ten ?? 0)}`
                : `first 10-draw ${formatYen(c.price_ten ?? 0)}`}{" "}
            （{formatDateTime(c.starts_at, lang)} 〜 {formatDateTime(c.ends_at, lang)}）
            {c.active && <span>{ja ? " 開催中" : " now"}</span>}
          </li>
        ))}
      </ul>
      <p className="small-print">{ja ? "キャンペーン中も提供割合は変わりません。" : "Campaigns never change the rates."}</p>
    </section>
  );
}
