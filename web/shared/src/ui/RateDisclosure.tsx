/**
 * The rate disclosure both apps render on a gacha's page (CESA/JOGA guidelines, in normal type size):
 * every prize with its rarity and its own rate, rarity totals, the 10-draw guarantee and the guaranteed
 * slot's rates, the expected cost to the rarest prize, limited stock with when it was read, the rate
 * table's version and a link to the fairness information. Every number is the API's own text.
 */
import type { ReactNode } from "react";

import type { Schemas } from "../client";
import { formatCount, groupDigits } from "../format";

type Lang = "ja" | "en";
type Preview = { kind: "image" | "audio" | "video"; url: string; content_type: string };
type Prize = Schemas["DisclosedPrize"] & { preview?: Preview | null };

const TEXT = {
  ja: {
    heading: "提供割合",
    prize: "景品",
    rarity: "レアリティ",
    rate: "提供割合",
    stock: "残り",
    preview: "プレビュー",
    unlimited: "無制限",
    totals: "レアリティ別の合計",
    guarantee: "10連の保証",
    guaranteeRule: (g: Schemas["Guarantee"]) =>
      `${g.batch_size}連で最初の${g.batch_size - 1}回に${g.min_rarity}以上が出なかった場合、最後の1回は下の「保証枠の提供割合」で抽選します。`,
    slotRates: "保証枠の提供割合",
    rounding: "端数処理",
    roundingText: (_g: Schemas["Guarantee"]) =>
      "最大剰余方式（各景品の比率に応じたppmの端数を切り捨て、余ったppmを端数の大きい景品から順に1ずつ配分）",
    rarest: (p: Schemas["RarestPrize"]) => `最もレアな景品（${p.rarity}・${p.rate_percent}%）を引くまでの期待値`,
    singles: "単発のみ",
    tens: "10連のみ",
    draws: "回",
    yen: "円",
    tenDraws: "10連",
    exact: "正確な値",
    stockTotal: "全体の在庫",
    readAt: (t: string) => `${t} 時点の在庫です。購入時に変わっている場合があります。`,
    version: (v: number) => `提供割合表 第${v}版`,
    fairness: "公平性の仕組みと検証情報",
    notes: "補足",
    soldOutNote:
      "数量限定の景品がなくなった場合、その景品は抽選されず、残りの景品の提供割合が比例して上がります。",
  },
  en: {
    heading: "Drop rates",
    prize: "Prize",
    rarity: "Rarity",
    rate: "Rate",
    stock: "Left",
    preview: "Preview",
    unlimited: "Unlimited",
    totals: "Totals by rarity",
    guarantee: "10-draw guarantee",
    guaranteeRule: (g: Schemas["Guarantee"]) => g.rule,
    slotRates: "Guaranteed slot rates",
    rounding: "Rounding",
    roundingText: (g: Schemas["Guarantee"]) => g.rounding,
    rarest: (p: Schemas["RarestPrize"]) => `Expected cost to the rarest prize (${p.rarity}, ${p.rate_percent}%)`,
    singles: "Single draws only",
    tens: "10-draws only",
    draws: "draws",
    yen: "yen",
    tenDraws: "10-draws",
    exact: "exact value",
    stockTotal: "Total stock",
    readAt: (t: string) => `Stock as of ${t}; it may have changed when you buy.`,
    version: (v: number) => `Rate table version ${v}`,
    fairness: "How fairness works and how to verify",
    notes: "Notes",
    soldOutNote:
      "When a limited prize runs out it is no longer drawn, and the remaining prizes' rates grow in proportion.",
  },
} as const;

export interface RateDisclosureProps {
  gacha: Omit<Schemas["GachaDetail"], "prizes"> & { prizes: Prize[] };
  lang: Lang;
  /** When the stock numbers were read (the page's fetch time). */
  readAt: Date;
  /** Link to the fairness page for this gacha. */
  fairnessHref: string;
  /** Renders a prize preview (the app decides on players/viewers). */
  renderPreview?: (preview: Preview, prize: Prize) => ReactNode;
}

function stockCell(left: { remaining: number; total?: number; tickets?: number } | null | undefined, unlimited: string): string {
  if (!left) return unlimited;
  return `${formatCount(left.remaining)} / ${formatCount(left.total ?? left.tickets ?? 0)}`;
}

export function RateDisclosure({ gacha, lang, readAt, fairnessHref, renderPreview }: RateDisclosureProps) {
  const t = TEXT[lang];
  const time = readAt.toLocaleString(lang === "ja" ? "ja-JP" : "en-GB", { dateStyle: "medium", timeStyle: "medium" });
  const hasPreview = gacha.prizes.some((p) => p.preview);
  const { rarest_prize: rarest, guarantee } = gacha;
  // A box's prizes have no stock of their own: what is left of each is its tickets still in the box.
  const boxLeft = new Map((gacha.box?.prizes ?? []).map((p) => [p.prize_id, p]));
  return (
    <section aria-labelledby="rates-heading" className="disclosure">
      <h2 id="rates-heading">{t.heading}</h2>
      <div className="table-scroll">
        <table data-testid="prize-rates">
          <caption>{t.version(gacha.rate_table.version)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.prize}</th>
              <th scope="col">{t.rarity}</th>
              <th scope="col">{t.rate}</th>
              <th scope="col">{t.stock}</th>
              {hasPreview && <th scope="col">{t.preview}</th>}
            </tr>
          </thead>
          <tbody>
            {gacha.prizes.map((prize) => (
              <tr key={prize.prize_id} data-prize-id={prize.prize_id}>
                <th scope="row">{prize.name}</th>
                <td>
                  <span className={`rarity rarity-${prize.rarity.toLowerCase()}`}>{prize.rarity}</span>
                </td>
                <td className="num" data-rate>
                  {prize.rate_percent}%
                </td>
                <td className="num">
                  {stockCell(prize.stock ?? boxLeft.get(prize.prize_id), t.unlimited)}
                </td>
                {hasPreview && <td>{prize.preview && renderPreview ? renderPreview(prize.preview, prize) : "—"}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>{t.totals}</h3>
      <ul className="totals" data-testid="rarity-totals">
        {gacha.rarity_totals.map((total) => (
          <li key={total.rarity}>
            <span className={`rarity rarity-${total.rarity.toLowerCase()}`}>{total.rarity}</span>{" "}
            <span data-rate>{total.rate_percent}%</span>
          </li>
        ))}
      </ul>

      {guarantee && (
        <>
          <h3>{t.guarantee}</h3>
          <p>{t.guaranteeRule(guarantee)}</p>
          <div className="table-scroll">
            <table data-testid="slot-rates">
              <caption>{t.slotRates}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.prize}</th>
                  <th scope="col">{t.rarity}</th>
                  <th scope="col">{t.rate}</th>
                </tr>
              </thead>
              <tbody>
                {guarantee.slot_rates.map((slot) => (
                  <tr key={slot.prize_id} data-prize-id={slot.prize_id}>
                    <th scope="row">{slot.name}</th>
                    <td>{slot.rarity}</td>
                    <td className="num" data-rate>
                      {slot.rate_percent}%
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="small-print">
            {t.rounding}: {t.roundingText(guarantee)}
          </p>
        </>
      )}

      {rarest && (
        <>
          <h3>{t.rarest(rarest)}</h3>
          <dl className="facts" data-testid="rarest">
            <dt>{t.singles}</dt>
            <dd>
              {rarest.single_draws.expected_draws.rounded} {t.draws}（{groupDigits(rarest.single_draws.expected_yen.rounded)} {t.yen}）
            </dd>
            <dt>{t.tens}</dt>
            <dd>
              {rarest.ten_draws.expected_ten_draws.rounded} {t.tenDraws}（{groupDigits(rarest.ten_draws.expected_yen.rounded)} {t.yen}）
            </dd>
          </dl>
        </>
      )}

      {gacha.stock && (
        <p data-testid="stock">
          {t.stockTotal}: {formatCount(gacha.stock.remaining)} / {formatCount(gacha.stock.total)}
        </p>
      )}
      <p>
        <time dateTime={readAt.toISOString()}>{t.readAt(time)}</time>
      </p>
      {gacha.prizes.some((p) => p.stock) && <p>{t.soldOutNote}</p>}
      {lang === "en" && gacha.notes.length > 0 && (
        <>
          <h3>{t.notes}</h3>
          <ul>
            {gacha.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </>
      )}
      <p>
        {t.version(gacha.rate_table.version)} · <a href={fairnessHref}>{t.fairness}</a>
      </p>
    </section>
  );
}
