"use client";
/**
 * The gacha editor, for both draw formats (docs/draw.md). A rate gacha: rates typed as percentages with up
 * to 4 decimals and sent as integer ppm (lib/ppm.ts, no floating point); the live sum must reach exactly
 * 1,000,000 ppm, and the remainder helper puts what is left on the prize the VTuber picks (never
 * silently); an optional ceiling (天井). A box gacha: tickets per prize instead of rates (the box is its own
 * stock: no total stock, guarantee or ceiling) and an optional last-one prize. While the form is complete,
 * the API's own preview route computes the disclosure and the page renders it with the SAME component the
 * fan app uses; its 422s land on their fields.
 */
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";

import { Dialog, formatCount, formatYen, ppmToPercent, RateDisclosure, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading, WithParams } from "@/components/Status";
import { api } from "@/lib/api";
import { editorProblems, errorMessage, fieldProblems, type FieldProblems } from "@/lib/errors";
import { fillRemainder, percentToPpm, PPM_TOTAL, ppmToInput, rateSum } from "@/lib/ppm";
import { formatDateTime, fromJstInput, toJstInput } from "@/lib/time";
import { useQueryParam } from "@/lib/useQueryParam";

type Rarity = Schemas["GachaForm"]["rarities"][number];
type Kind = Schemas["GachaCreateIn"]["kind"] & string;
type PrizeRow = { name: string; rarity: Rarity; rate: string; tickets: string; assetIds: string[]; stock: string; previewId: string };
type LastOne = { enabled: boolean; name: string; rarity: Rarity; assetIds: string[]; previewId: string };
type Form = {
  kind: Kind;
  ceiling: string; // rate gachas: 天井 in draws; blank: none
  lastOne: LastOne; // box gachas
  title: string;
  description: string;
  priceSingle: string;
  priceTen: string;
  medalsPerDraw: string;
  totalStock: string;
  stockShards: string; // blank: the API derives it from the stock size
  startsAt: string;
  endsAt: string;
  guarantee: Rarity | "";
  prizes: PrizeRow[];
};
type Body = Omit<Schemas["GachaCreateIn"], "publish">;
type PrizeBody = Schemas["PrizeIn"];

const KIND_LABELS: Record<Kind, string> = { rate: "確率ガチャ", box: "BOXガチャ" };

const INTEGER = /^\d{1,9}$/;
const MAX_BOX_TICKETS = 5_000; // oshi.draw.box.MAX_TICKETS, shown as a hint (the API refuses more: box_too_large)

function emptyPrize(rarity: Rarity): PrizeRow {
  return { name: "", rarity, rate: "", tickets: "", assetIds: [], stock: "", previewId: "" };
}

function emptyLastOne(rarity: Rarity): LastOne {
  return { enabled: false, name: "", rarity, assetIds: [], previewId: "" };
}

/** The box's size as typed so far (rows that are not whole numbers count 0 until fixed). */
function ticketTotal(prizes: PrizeRow[]): number {
  return prizes.reduce((total, p) => total + (INTEGER.test(p.tickets.trim()) ? Number(p.tickets.trim()) : 0), 0);
}

function newForm(form: Schemas["GachaForm"]): Form {
  const start = new Date(Date.now() + 24 * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 14 * 24 * 3_600_000);
  return {
    kind: "rate",
    ceiling: "",
    lastOne: emptyLastOne(form.rarities[form.rarities.length - 1]),
    title: "",
    description: "",
    priceSingle: String(form.limits.price_single.min),
    priceTen: String(form.limits.price_single.min * 10),
    medalsPerDraw: String(form.defaults.medals_per_draw),
    totalStock: "",
    stockShards: "",
    startsAt: toJstInput(start),
    endsAt: toJstInput(end),
    guarantee: (form.defaults.guarantee?.min_rarity ?? "") as Rarity | "",
    prizes: [emptyPrize(form.rarities[0])],
  };
}

function fromGacha(g: Schemas["OwnGacha"], rarities: Rarity[]): Form {
  const box = g.kind === "box";
  const tickets = new Map((g.box?.prizes ?? []).map((p) => [p.prize_id, p.tickets]));
  const last = g.last_one;
  return {
    kind: box ? "box" : "rate",
    ceiling: g.ceiling ? String(g.ceiling.draws) : "",
    lastOne: last
      ? { enabled: true, name: last.name, rarity: last.rarity as Rarity, assetIds: last.asset_ids, previewId: last.preview_asset_id ?? "" }
      : emptyLastOne(rarities[rarities.length - 1]),
    title: g.title,
    description: g.description,
    priceSingle: String(g.price_single),
    priceTen: String(g.price_ten),
    medalsPerDraw: String(g.medals_per_draw),
    totalStock: g.total_stock == null || box ? "" : String(g.total_stock), // a box's total is its tickets
    stockShards: g.total_stock == null ? "" : String(g.stock_shards),
    startsAt: toJstInput(g.starts_at),
    endsAt: toJstInput(g.ends_at),
    guarantee: g.guarantee?.min_rarity ?? "",
    prizes: g.prizes.map((p) => ({
      name: p.name,
      rarity: p.rarity,
      rate: box ? "" : ppmToInput(p.rate_ppm),
      tickets: tickets.has(p.prize_id) ? String(tickets.get(p.prize_id)) : "",
      assetIds: p.asset_ids,
      stock: p.stock ? String(p.stock.total) : "",
      previewId: p.preview_asset_id ?? "",
    })),
  };
}

/** The API body, or the local problems that stop it being sent (the API checks everything again). */
function toBody(form: Form): { body: Body | null; problems: FieldProblems } {
  const problems: FieldProblems = {};
  const int = (field: string, text: string, optional = false): number | null => {
    if (optional && text.trim() === "") return null;
    if (!INTEGER.test(text.trim())) {
      problems[field] = "半角数字（整数）で入力してください";
      return null;
    }
    return Number(text.trim());
  };
  const priceSingle = int("price_single", form.priceSingle);
  const priceTen = int("price_ten", form.priceTen);
  const medals = int("medals_per_draw", form.medalsPerDraw);
  const box = form.kind === "box";
  const totalStock = box ? null : int("total_stock", form.totalStock, true);
  const stockShards = int("stock_shards", form.stockShards, true);
  const ceiling = box ? null : int("ceiling", form.ceiling, true);
  if (!form.title.trim()) problems.title = "入力してください";
  if (!form.startsAt) problems.starts_at = "入力してください";
  if (!form.endsAt) problems.ends_at = "入力してください";
  const prizes = form.prizes.map((p, i): PrizeBody => {
    if (!p.name.trim()) problems[`prizes.${i}.name`] = "入力してください";
    if (p.assetIds.length === 0) problems[`prizes.${i}.asset_ids`] = "景品の素材を1つ以上選んでください";
    // rate_ppm is 0 on a box prize: the schema's default, which the generated type makes required
    const common = { name: p.name, rarity: p.rarity, asset_ids: p.assetIds, preview_asset_id: p.previewId || null, rate_ppm: 0 };
    if (box) {
      // a box prize has tickets, no rate and no stock of its own (the box is the stock)
      const tickets = int(`prizes.${i}.tickets`, p.tickets);
      if (tickets === 0) problems[`prizes.${i}.tickets`] = "1枚以上にしてください";
      return { ...common, tickets };
    }
    const ppm = percentToPpm(p.rate);
    if (ppm === null) problems[`prizes.${i}.rate_ppm`] = "0〜100の数で、小数点以下4桁までで入力してください";
    const stock = int(`prizes.${i}.stock`, p.stock, true);
    return { ...common, rate_ppm: ppm ?? 0, stock };
  });
  let lastOne: PrizeBody | null = null;
  if (box && form.lastOne.enabled) {
    const l = form.lastOne;
    if (!l.name.trim()) problems["last_one.name"] = "入力してください";
    if (l.assetIds.length === 0) problems["last_one.asset_ids"] = "景品の素材を1つ以上選んでください";
    lastOne = { name: l.name, rarity: l.rarity, asset_ids: l.assetIds, preview_asset_id: l.previewId || null, rate_ppm: 0 };
  }
  const sum = rateSum(form.prizes.map((p) => p.rate));
  if (!box && sum.invalid.length === 0 && sum.total !== PPM_TOTAL) problems.rates = "提供割合の合計をちょうど100%（1,000,000 ppm）にしてください";
  if (Object.keys(problems).length > 0) return { body: null, problems };
  return {
    body: {
      kind: form.kind,
      title: form.title,
      description: form.description,
      price_single: priceSingle ?? 0,
      price_ten: priceTen ?? 0,
      medals_per_draw: medals ?? 0,
      total_stock: totalStock,
      stock_shards: box || totalStock !== null ? stockShards : null,
      starts_at: fromJstInput(form.startsAt),
      ends_at: fromJstInput(form.endsAt),
      guarantee: !box && form.guarantee ? { min_rarity: form.guarantee } : null,
      ceiling,
      last_one: lastOne,
      prizes,
    },
    problems,
  };
}

function FieldError({ id, problems }: { id: string; problems: FieldProblems }) {
  const text = problems[id];
  if (!text) return null;
  return (
    <p id={`${id}-error`} className="error">
      {text}
    </p>
  );
}

function described(id: string, problems: FieldProblems) {
  return { "aria-invalid": Boolean(problems[id]), "aria-describedby": problems[id] ? `${id}-error` : undefined };
}

/** What the shared disclosure does not spell out: the box's tickets and last-one prize, or the ceiling. */
function FormatFacts({ gacha }: { gacha: Schemas["OwnGacha"] }) {
  if (gacha.box) {
    const last = gacha.box.last_one;
    return (
      <dl className="facts" data-testid="format-facts">
        <dt>形式</dt>
        <dd>{KIND_LABELS.box}</dd>
        <dt>チケット</dt>
        <dd>
          全 {formatCount(gacha.box.total)} 枚（
          {gacha.box.prizes.map((p) => `${p.name} ${formatCount(p.tickets)}枚`).join("、")}）
        </dd>
        <dt>ラストワン賞</dt>
        <dd>{last ? `${last.name}（${last.rarity}）` : "なし"}</dd>
      </dl>
    );
  }
  return (
    <dl className="facts" data-testid="format-facts">
      <dt>形式</dt>
      <dd>{KIND_LABELS.rate}</dd>
      <dt>天井</dt>
      <dd>{gacha.ceiling ? `${formatCount(gacha.ceiling.draws)}回（${gacha.ceiling.rarity}）` : "なし"}</dd>
    </dl>
  );
}

function Editor() {
  const id = useQueryParam("id");
  const router = useRouter();
  const [meta, setMeta] = useState<Schemas["GachaForm"] | null>(null);
  const [saved, setSaved] = useState<Schemas["OwnGacha"] | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [serverProblems, setServerProblems] = useState<FieldProblems>({});
  const [preview, setPreview] = useState<Schemas["OwnGacha"] | null>(null);
  const [previewAt, setPreviewAt] = useState(() => new Date());
  const [remainderRow, setRemainderRow] = useState(0);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      const { data, error } = await api.GET("/api/vtuber/gacha/new");
      if (!data) return setProblem(errorMessage(error));
      setMeta(data);
      if (!id) return setForm(newForm(data));
      const loaded = await api.GET("/api/vtuber/gacha/{gacha_id}", { params: { path: { gacha_id: id } } });
      if (!loaded.data) return setProblem(errorMessage(loaded.error));
      setSaved(loaded.data);
      setForm(fromGacha(loaded.data, data.rarities));
    })();
  }, [id]);

  const local = useMemo(() => (form ? toBody(form) : null), [form]);
  const sum = useMemo(() => rateSum(form?.prizes.map((p) => p.rate) ?? []), [form]);

  // The live preview: the API computes the disclosure from the complete form (debounced).
  useEffect(() => {
    if (!local?.body) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- an incomplete form has no preview
      setPreview(null);
      return;
    }
    const body = local.body;
    const timer = setTimeout(async () => {
      const { data, error } = await api.POST("/api/vtuber/gacha/preview", { body });
      if (data) {
        setPreview(data);
        setPreviewAt(new Date());
        setServerProblems({});
      } else {
        setPreview(null);
        setServerProblems(editorProblems(fieldProblems(error), body.prizes.length));
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [local]);

  const change = useCallback((patch: Partial<Form>) => setForm((f) => (f ? { ...f, ...patch } : f)), []);
  const changePrize = useCallback(
    (index: number, patch: Partial<PrizeRow>) =>
      setForm((f) => (f ? { ...f, prizes: f.prizes.map((p, i) => (i === index ? { ...p, ...patch } : p)) } : f)),
    [],
  );

  if (problem) return <ErrorBox>{problem}</ErrorBox>;
  if (!meta || !form || !local) return <Loading />;
  const editable = saved ? saved.editable : true;
  const problems = { ...local.problems, ...serverProblems };
  const validAssets = meta.assets.filter((a) => a.status === "validated");
  const box = form.kind === "box";
  const tickets = ticketTotal(form.prizes);
  const changeLastOne = (patch: Partial<LastOne>) => change({ lastOne: { ...form.lastOne, ...patch } });

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!local?.body) {
      setStatus("入力内容を確認してください。");
      return;
    }
    setBusy(true);
    setStatus(null);
    const result = saved
      ? await api.PUT("/api/vtuber/gacha/{gacha_id}", {
          params: { path: { gacha_id: saved.gacha_id } },
          body: { ...local.body, version: saved.version },
        })
      : await api.POST("/api/vtuber/gacha/create", { body: { ...local.body, publish: false } });
    setBusy(false);
    if (!result.data) {
      setServerProblems(editorProblems(fieldProblems(result.error), local.body.prizes.length));
      setStatus(errorMessage(result.error));
      return;
    }
    setSaved(result.data);
    setStatus("下書きを保存しました。");
    if (!saved) router.replace(`/gachas/edit/?id=${result.data.gacha_id}`);
  }

  async function publish() {
    if (!saved) return;
    setBusy(true);
    const { data, error } = await api.POST("/api/vtuber/gacha/{gacha_id}/publish", { params: { path: { gacha_id: saved.gacha_id } } });
    setBusy(false);
    setConfirming(false);
    if (!data) return setStatus(errorMessage(error));
    setSaved(data);
    setStatus("公開しました。販売開始まではまだ編集できます。");
  }

  return (
    <>
      {saved && (
        <p data-testid="gacha-state">
          状態: <strong>{saved.status === "draft" ? "下書き" : saved.status === "published" ? "公開済み" : saved.status}</strong>
          {saved.status !== "draft" && `（ガチャID ${saved.gacha_id}）`}
          {!editable && " — 販売が始まったため編集できません。"}
        </p>
      )}
      <form onSubmit={save} noValidate>
        <fieldset disabled={!editable}>
          <legend>基本情報</legend>
          <label htmlFor="kind">形式</label>
          <select id="kind" value={form.kind} onChange={(e) => change({ kind: e.target.value as Kind })} aria-describedby={problems.kind ? "kind-help kind-error" : "kind-help"} aria-invalid={Boolean(problems.kind)}>
            <option value="rate">{KIND_LABELS.rate}</option>
            <option value="box">{KIND_LABELS.box}</option>
          </select>
          <p id="kind-help" className="help">
            {box
              ? "BOXガチャ: 決まった枚数のチケットを戻さずに引きます。各景品の確率は残りのチケット数で決まり、BOXが空になると売り切れです。"
              : "確率ガチャ: 毎回の抽選が提供割合どおりです。"}
          </p>
          <FieldError id="kind" problems={problems} />
          <label htmlFor="title">タイトル</label>
          <input id="title" value={form.title} maxLength={100} onChange={(e) => change({ title: e.target.value })} {...described("title", problems)} />
          <FieldError id="title" problems={problems} />
          <label htmlFor="description">説明</label>
          <textarea id="description" rows={3} maxLength={2000} value={form.description} onChange={(e) => change({ description: e.target.value })} />
          <div className="grid-2">
            <div>
              <label htmlFor="price_single">単発の価格（円・税込）</label>
              <input id="price_single" inputMode="numeric" value={form.priceSingle} onChange={(e) => change({ priceSingle: e.target.value })} {...described("price_single", problems)} />
              <p className="help">
                {formatYen(meta.limits.price_single.min)}〜{formatYen(meta.limits.price_single.max)}
              </p>
              <FieldError id="price_single" problems={problems} />
            </div>
            <div>
              <label htmlFor="price_ten">10連の価格（円・税込）</label>
              <input id="price_ten" inputMode="numeric" value={form.priceTen} onChange={(e) => change({ priceTen: e.target.value })} {...described("price_ten", problems)} />
              <p className="help">
                {formatYen(meta.limits.price_ten.min)}〜{formatYen(meta.limits.price_ten.max)}、単発10回分以下
              </p>
              <FieldError id="price_ten" problems={problems} />
            </div>
            <div>
              <label htmlFor="starts_at">販売開始（日本時間）</label>
              <input id="starts_at" type="datetime-local" step={1} value={form.startsAt} onChange={(e) => change({ startsAt: e.target.value })} {...described("starts_at", problems)} />
              <FieldError id="starts_at" problems={problems} />
            </div>
            <div>
              <label htmlFor="ends_at">販売終了（日本時間）</label>
              <input id="ends_at" type="datetime-local" step={1} value={form.endsAt} onChange={(e) => change({ endsAt: e.target.value })} {...described("ends_at", problems)} />
              <p className="help">最長{meta.limits.max_sale_days}日</p>
              <FieldError id="ends_at" problems={problems} />
            </div>
            <div>
              <label htmlFor="medals_per_draw">1回あたりのメダル</label>
              <input id="medals_per_draw" inputMode="numeric" value={form.medalsPerDraw} onChange={(e) => change({ medalsPerDraw: e.target.value })} {...described("medals_per_draw", problems)} />
              <p className="help">0〜{meta.limits.max_medals_per_draw}</p>
              <FieldError id="medals_per_draw" problems={problems} />
            </div>
            {!box && (
              <div>
                <label htmlFor="total_stock">販売する回数の上限（空欄: 無制限）</label>
                <input id="total_stock" inputMode="numeric" value={form.totalStock} onChange={(e) => change({ totalStock: e.target.value })} {...described("total_stock", problems)} />
                <FieldError id="total_stock" problems={problems} />
              </div>
            )}
            {!box && (
              <div>
                <label htmlFor="ceiling">天井（回。空欄: なし）</label>
                <input id="ceiling" inputMode="numeric" value={form.ceiling} onChange={(e) => change({ ceiling: e.target.value })} {...described("ceiling", problems)} />
                <p className="help">最高レアリティが出ないまま続いたとき、この回数目で必ず最高レアリティ（1〜1,000回。最高レアリティの景品は数量限定にできません）</p>
                <FieldError id="ceiling" problems={problems} />
              </div>
            )}
            <div>
              <label htmlFor="stock_shards">在庫の分割数（空欄: {box ? "チケット数" : "上限回数"}から自動）</label>
              <input id="stock_shards" inputMode="numeric" value={form.stockShards} disabled={!box && form.totalStock.trim() === ""} onChange={(e) => change({ stockShards: e.target.value })} {...described("stock_shards", problems)} />
              <p className="help">発売直後に購入が集中する限定ガチャ向け（1分割あたり毎秒約250件）</p>
              <FieldError id="stock_shards" problems={problems} />
            </div>
          </div>
          {!box && (
            <>
              <label htmlFor="guarantee">10連の保証（最後の1回で保証するレアリティ以上）</label>
              <select id="guarantee" value={form.guarantee} onChange={(e) => change({ guarantee: e.target.value as Rarity | "" })} {...described("guarantee", problems)}>
                <option value="">保証なし</option>
                {meta.rarities.map((r) => (
                  <option key={r} value={r}>
                    {r}以上
                  </option>
                ))}
              </select>
            </>
          )}
          <FieldError id="guarantee" problems={problems} />
        </fieldset>

        <fieldset disabled={!editable}>
          <legend>{box ? "景品とチケット数" : "景品と提供割合"}</legend>
          {validAssets.length === 0 && <p className="error">受理済みの素材がありません。先に素材ライブラリでアップロードしてください。</p>}
          {form.prizes.map((prize, i) => (
            <div className="prize-row" key={i} role="group" aria-labelledby={`prize-${i}-heading`}>
              <h3 id={`prize-${i}-heading`}>景品 {i + 1}</h3>
              <div className="grid-2">
                <div>
                  <label htmlFor={`prizes.${i}.name`}>景品名</label>
                  <input id={`prizes.${i}.name`} value={prize.name} maxLength={100} onChange={(e) => changePrize(i, { name: e.target.value })} {...described(`prizes.${i}.name`, problems)} />
                  <FieldError id={`prizes.${i}.name`} problems={problems} />
                </div>
                <div>
                  <label htmlFor={`prizes.${i}.rarity`}>レアリティ</label>
                  <select id={`prizes.${i}.rarity`} value={prize.rarity} onChange={(e) => changePrize(i, { rarity: e.target.value as Rarity })} {...described(`prizes.${i}.rarity`, problems)}>
                    {meta.rarities.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                  <FieldError id={`prizes.${i}.rarity`} problems={problems} />
                </div>
                {box ? (
                  <div>
                    <label htmlFor={`prizes.${i}.tickets`}>チケット数（枚）</label>
                    <input id={`prizes.${i}.tickets`} inputMode="numeric" value={prize.tickets} onChange={(e) => changePrize(i, { tickets: e.target.value })} {...described(`prizes.${i}.tickets`, problems)} />
                    <FieldError id={`prizes.${i}.tickets`} problems={problems} />
                  </div>
                ) : (
                  <>
                    <div>
                      <label htmlFor={`prizes.${i}.rate_ppm`}>提供割合（%・小数点以下4桁まで）</label>
                      <input id={`prizes.${i}.rate_ppm`} inputMode="decimal" value={prize.rate} onChange={(e) => changePrize(i, { rate: e.target.value })} {...described(`prizes.${i}.rate_ppm`, problems)} />
                      <p className="help">{percentToPpm(prize.rate) !== null ? `${formatCount(percentToPpm(prize.rate) ?? 0)} ppm` : "例: 0.0100（= 100 ppm）"}</p>
                      <FieldError id={`prizes.${i}.rate_ppm`} problems={problems} />
                    </div>
                    <div>
                      <label htmlFor={`prizes.${i}.stock`}>数量限定（空欄: 無制限）</label>
                      <input id={`prizes.${i}.stock`} inputMode="numeric" value={prize.stock} onChange={(e) => changePrize(i, { stock: e.target.value })} {...described(`prizes.${i}.stock`, problems)} />
                      <FieldError id={`prizes.${i}.stock`} problems={problems} />
                    </div>
                  </>
                )}
              </div>
              <label htmlFor={`prizes.${i}.asset_ids`}>景品の素材（受理済み、最大{meta.limits.max_assets_per_prize}つ。Ctrl/⌘ で複数選択）</label>
              <select
                id={`prizes.${i}.asset_ids`}
                multiple
                size={Math.min(5, Math.max(2, validAssets.length))}
                value={prize.assetIds}
                onChange={(e) => changePrize(i, { assetIds: Array.from(e.target.selectedOptions, (o) => o.value) })}
                {...described(`prizes.${i}.asset_ids`, problems)}
              >
                {validAssets.map((a) => (
                  <option key={a.asset_id} value={a.asset_id}>
                    {a.filename}（{a.kind ?? a.declared_type}）
                  </option>
                ))}
              </select>
              <FieldError id={`prizes.${i}.asset_ids`} problems={problems} />
              <label htmlFor={`prizes.${i}.preview_asset_id`}>公開プレビュー（任意。景品ファイルとは別の素材）</label>
              <select
                id={`prizes.${i}.preview_asset_id`}
                value={prize.previewId}
                onChange={(e) => changePrize(i, { previewId: e.target.value })}
                {...described(`prizes.${i}.preview_asset_id`, problems)}
              >
                <option value="">なし</option>
                {validAssets
                  .filter((a) => a.kind !== "archive")
                  .map((a) => (
                    <option key={a.asset_id} value={a.asset_id}>
                      {a.filename}
                    </option>
                  ))}
              </select>
              <FieldError id={`prizes.${i}.preview_asset_id`} problems={problems} />
              {form.prizes.length > 1 && (
                <button type="button" className="secondary" onClick={() => change({ prizes: form.prizes.filter((_, j) => j !== i) })}>
                  景品 {i + 1} を削除
                </button>
              )}
            </div>
          ))}
          <div className="actions">
            <button
              type="button"
              className="secondary"
              disabled={form.prizes.length >= meta.limits.max_prizes}
              onClick={() => change({ prizes: [...form.prizes, emptyPrize(meta.rarities[0])] })}
            >
              景品を追加
            </button>
          </div>
          {box ? (
            <>
              <p aria-live="polite" data-testid="ticket-total">
                BOXのチケット 合計 {formatCount(tickets)} 枚（上限 {formatCount(MAX_BOX_TICKETS)} 枚）
              </p>
              <FieldError id="prizes" problems={problems} />
            </>
          ) : (
            <>
              <p aria-live="polite" data-testid="rate-sum" className={sum.total === PPM_TOTAL && sum.invalid.length === 0 ? "sum-ok" : "sum-bad"}>
                合計 {ppmToPercent(sum.total)}%（{formatCount(sum.total)} / {formatCount(PPM_TOTAL)} ppm）
                {sum.remainder > 0 && `、残り ${ppmToPercent(sum.remainder)}%`}
                {sum.remainder < 0 && `、${ppmToPercent(-sum.remainder)}% 超過`}
              </p>
              <FieldError id="rates" problems={problems} />
              <FieldError id="prizes" problems={problems} />
              <div className="grid-2">
                <div>
                  <label htmlFor="remainder-row">残りを割り当てる景品</label>
                  <select id="remainder-row" value={remainderRow} onChange={(e) => setRemainderRow(Number(e.target.value))}>
                    {form.prizes.map((p, i) => (
                      <option key={i} value={i}>
                        景品 {i + 1}
                        {p.name ? `（${p.name}）` : ""}
                      </option>
                    ))}
                  </select>
                </div>
              </div>
              <div className="actions">
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    const row = Math.min(remainderRow, form.prizes.length - 1);
                    const text = fillRemainder(
                      form.prizes.map((p) => p.rate),
                      row,
                    );
                    if (text === null) setStatus("ほかの景品の合計が100%を超えているか、数値でない欄があるため割り当てられません。");
                    else {
                      changePrize(row, { rate: text });
                      setStatus(`景品 ${row + 1} の提供割合を ${text}% にしました。`);
                    }
                  }}
                >
                  残りをこの景品に割り当てる
                </button>
              </div>
            </>
          )}
        </fieldset>

        {box && (
          <fieldset disabled={!editable}>
            <legend>ラストワン賞（任意）</legend>
            <p className="help">BOXの最後の1枚を引いた人に、そのチケットの景品に加えて贈られます。</p>
            <label className="check" htmlFor="last_one.enabled">
              <input id="last_one.enabled" type="checkbox" checked={form.lastOne.enabled} onChange={(e) => changeLastOne({ enabled: e.target.checked })} />
              ラストワン賞を設定する
            </label>
            <FieldError id="last_one" problems={problems} />
            {form.lastOne.enabled && (
              <>
                <div className="grid-2">
                  <div>
                    <label htmlFor="last_one.name">ラストワン賞の景品名</label>
                    <input id="last_one.name" value={form.lastOne.name} maxLength={100} onChange={(e) => changeLastOne({ name: e.target.value })} {...described("last_one.name", problems)} />
                    <FieldError id="last_one.name" problems={problems} />
                  </div>
                  <div>
                    <label htmlFor="last_one.rarity">ラストワン賞のレアリティ</label>
                    <select id="last_one.rarity" value={form.lastOne.rarity} onChange={(e) => changeLastOne({ rarity: e.target.value as Rarity })} {...described("last_one.rarity", problems)}>
                      {meta.rarities.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                    <FieldError id="last_one.rarity" problems={problems} />
                  </div>
                </div>
                <label htmlFor="last_one.asset_ids">ラストワン賞の素材（受理済み、最大{meta.limits.max_assets_per_prize}つ。Ctrl/⌘ で複数選択）</label>
                <select
                  id="last_one.asset_ids"
                  multiple
                  size={Math.min(5, Math.max(2, validAssets.length))}
                  value={form.lastOne.assetIds}
                  onChange={(e) => changeLastOne({ assetIds: Array.from(e.target.selectedOptions, (o) => o.value) })}
                  {...described("last_one.asset_ids", problems)}
                >
                  {validAssets.map((a) => (
                    <option key={a.asset_id} value={a.asset_id}>
                      {a.filename}（{a.kind ?? a.declared_type}）
                    </option>
                  ))}
                </select>
                <FieldError id="last_one.asset_ids" problems={problems} />
                <label htmlFor="last_one.preview_asset_id">ラストワン賞の公開プレビュー（任意。景品ファイルとは別の素材）</label>
                <select id="last_one.preview_asset_id" value={form.lastOne.previewId} onChange={(e) => changeLastOne({ previewId: e.target.value })} {...described("last_one.preview_asset_id", problems)}>
                  <option value="">なし</option>
                  {validAssets
                    .filter((a) => a.kind !== "archive")
                    .map((a) => (
                      <option key={a.asset_id} value={a.asset_id}>
                        {a.filename}
                      </option>
                    ))}
                </select>
                <FieldError id="last_one.preview_asset_id" problems={problems} />
              </>
            )}
          </fieldset>
        )}

        <div className="actions">
          <button className="primary" type="submit" disabled={busy || !editable}>
            下書きを保存
          </button>
          {saved && saved.status === "draft" && (
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(true)}>
              公開する…
            </button>
          )}
        </div>
        {status && (
          <p role="status" data-testid="editor-status">
            {status}
          </p>
        )}
      </form>

      <section className="preview-pane" aria-labelledby="preview-heading">
        <h2 id="preview-heading">ファンに表示される提供割合（プレビュー）</h2>
        {preview ? (
          <div data-testid="disclosure-preview">
            <FormatFacts gacha={preview} />
            <RateDisclosure gacha={preview} lang="ja" readAt={previewAt} fairnessHref="#preview-heading" />
          </div>
        ) : (
          <p className="muted">{box ? "すべての項目を正しく入力するとプレビューが表示されます。" : "すべての項目を正しく入力し、合計が100%になるとプレビューが表示されます。"}</p>
        )}
      </section>

      <Dialog open={confirming} title="ガチャを公開しますか？" onClose={() => setConfirming(false)}>
        {saved && (
          <>
            <p>
              「{saved.title}」をカタログに公開します。販売開始（{formatDateTime(saved.starts_at)}）の時点で、景品・提供割合・価格・販売期間・在庫・保証は固定され、以後は変更できません（提供割合表
              第{saved.rate_table.version}版）。
            </p>
            <p>販売開始前であれば、公開後も編集できます（変更は提供割合表の新しい版になります）。</p>
            <div className="actions">
              <button type="button" className="primary" disabled={busy} onClick={publish}>
                公開する
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                やめる
              </button>
            </div>
          </>
        )}
      </Dialog>
    </>
  );
}

export default function EditGachaPage() {
  return (
    <>
      <h1>ガチャの編集</h1>
      <Guard need="vtuber">
        <WithParams>
          <Editor />
        </WithParams>
      </Guard>
    </>
  );
}
