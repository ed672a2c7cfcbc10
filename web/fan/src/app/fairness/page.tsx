"use client";
/** How rates and fairness work, and (with ?id=) one gacha's commitment, rate-table history and seed. */
import { useEffect, useState } from "react";

import type { Schemas } from "@oshi/shared";

import { WithParams } from "@/components/Suspended";
import { api } from "@/lib/api";
import { useI18n } from "@/lib/i18n";
import { formatDateTime } from "@/lib/time";
import { useQueryParam } from "@/lib/useQueryParam";

const TEXT = {
  ja: {
    title: "提供割合と公平性について",
    body: [
      "各ガチャのページに、すべての景品の提供割合・レアリティ別の合計・10連の保証内容・最もレアな景品を引くまでの期待値を表示しています。提供割合は100万分率（ppm）で管理しており、表示はその正確な値です。",
      "販売開始前に、抽選に使うサーバーシードのハッシュ（コミットメント）と提供割合表のハッシュを公開します。販売終了後にサーバーシードを公開するので、購入履歴の「抽選を検証」から、ご自身の抽選結果が公開情報から再現できることを確かめられます。",
      "提供割合を変更する場合は事前にお知らせし、版番号を上げて履歴を公開します。",
    ],
    commitment: "コミットメント（サーバーシードのハッシュ）",
    tableHash: "提供割合表のハッシュ",
    version: "版",
    history: "提供割合表の履歴",
    effective: "適用開始",
    seed: "サーバーシード",
    notYet: "販売終了後に公開されます",
    algorithm: "アルゴリズム",
  },
  en: {
    title: "Rates and fairness",
    body: [
      "Every gacha page shows every prize's rate, totals by rarity, the 10-draw guarantee and the expected cost to the rarest prize. Rates are kept in parts per million and shown exactly.",
      "Before a sale opens we publish a hash of the server seed (the commitment) and of the rate table. After the sale ends we publish the seed, so you can check from your order history that your results follow from the public data.",
      "Rate changes are announced in advance; each change gets a new version and the history stays public.",
    ],
    commitment: "Commitment (hash of the server seed)",
    tableHash: "Rate table hash",
    version: "Version",
    history: "Rate table history",
    effective: "Effective from",
    seed: "Server seed",
    notYet: "Published after the sale ends",
    algorithm: "Algorithm",
  },
} as const;

function Fairness() {
  const id = useQueryParam("id");
  const { lang } = useI18n();
  const text = TEXT[lang];
  const [info, setInfo] = useState<Schemas["FairnessOut"] | null>(null);
  useEffect(() => {
    if (id) api.GET("/api/gachas/{gacha_id}/fairness", { params: { path: { gacha_id: id } } }).then(({ data }) => setInfo(data ?? null));
  }, [id]);
  return (
    <>
      <h1>{text.title}</h1>
      {text.body.map((p) => (
        <p key={p}>{p}</p>
      ))}
      {info && (
        <section aria-labelledby="gacha-fairness">
          <h2 id="gacha-fairness">{info.gacha_id}</h2>
          <dl className="facts">
            <dt>{text.commitment}</dt>
            <dd>
              <code>{info.commitment}</code>
            </dd>
            <dt>{text.tableHash}</dt>
            <dd>
              <code>{info.rate_table_hash}</code>（{text.version} {info.rate_table_version}）
            </dd>
            <dt>{text.seed}</dt>
            <dd>{info.server_seed ? <code>{info.server_seed}</code> : `${text.notYet}（${formatDateTime(info.sale_ends_at, lang)}）`}</dd>
            {info.algorithm && (
              <>
                <dt>{text.algorithm}</dt>
                <dd>{info.algorithm}</dd>
              </>
            )}
          </dl>
          <h3>{text.history}</h3>
          <ul>
            {info.rate_table_history.map((v) => (
              <li key={v.version}>
                {text.version} {v.version} · {text.effective} {formatDateTime(v.effective_from, lang)} · <code>{v.hash.slice(0, 16)}…</code>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

export default function FairnessPage() {
  return (
    <WithParams>
      <Fairness />
    </WithParams>
  );
}
