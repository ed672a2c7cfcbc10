"use client";
/**
 * The gacha editor (rate gachas; `kind` leaves room for the box gacha's formats). Rates are typed as
 * percentages with up to 4 decimals and sent as integer ppm (lib/ppm.ts, no floating point); the live sum
 * must reach exactly 1,000,000 ppm, and the remainder helper puts what is left on the prize the VTuber
 * picks (never silently). While the form is complete, the API's own preview route computes the disclosure
 * and the page renders it with the SAME component the fan app uses; its 422s land on their fields.
 */
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";

import { Dialog, formatCount, formatYen, ppmToPercent, RateDisclosure, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading, WithParams } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage, fieldProblems, type FieldProblems } from "@/lib/errors";
import { fillRemainder, percentToPpm, PPM_TOTAL, ppmToInput, rateSum } from "@/lib/ppm";
import { formatDateTime, fromJstInput, toJstInput } from "@/lib/time";
import { useQueryParam } from "@/lib/useQueryParam";

type Rarity = Schemas["GachaForm"]["rarities"][number];
type PrizeRow = { name: string; rarity: Rarity; rate: string; assetIds: string[]; stock: string; previewId: string };
type Form = {
  kind: "rate";
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

const INTEGER = /^\d{1,9}$/;

function emptyPrize(rarity: Rarity): PrizeRow {
  return { name: "", rarity, rate: "", assetIds: [], stock: "", previewId: "" };
}

function newForm(form: Schemas["GachaForm"]): Form {
  const start = new Date(Date.now() + 24 * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 14 * 24 * 3_600_000);
  return {
    kind: "rate",
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

function fromGacha(g: Schemas["OwnGacha"]): Form {
  return {
    kind: "rate",
    title: g.title,
    description: g.description,
    priceSingle: String(g.price_single),
    priceTen: String(g.price_ten),
    medalsPerDraw: String(g.medals_per_draw),
    totalStock: g.total_stock == null ? "" : String(g.total_stock),
    stockShards: g.total_stock == null ? "" : String(g.stock_shards),
    startsAt: toJstInput(g.starts_at),
    endsAt: toJstInput(g.ends_at),
    guarantee: g.guarantee?.min_rarity ?? "",
    prizes: g.prizes.map((p) => ({
      name: p.name,
      rarity: p.rarity,
      rate: ppmToInput(p.rate_ppm),
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
  const totalStock = int("total_stock", form.totalStock, true);
  const stockShards = int("stock_shards", form.stockShards, true);
  if (!form.title.trim()) problems.title = "入力してください";
  if (!form.startsAt) problems.starts_at = "入力してください";
  if (!form.endsAt) problems.ends_at = "入力してください";
  const prizes = form.prizes.map((p, i) => {
    const ppm = percentToPpm(p.rate);
    if (ppm === null) problems[`prizes.${i}.rate_ppm`] = "0〜100の数で、小数点以下4桁までで入力してください";
    if (!p.name.trim()) problems[`prizes.${i}.name`] = "入力してください";
    if (p.assetIds.length === 0) problems[`prizes.${i}.asset_ids`] = "景品の素材を1つ以上選んでください";
    const stock = int(`prizes.${i}.stock`, p.stock, true);
    return { name: p.name, rarity: p.rarity, rate_ppm: ppm ?? 0, asset_ids: p.assetIds, stock, preview_asset_id: p.previewId || null };
  });
  const sum = rateSum(form.prizes.map((p) => p.rate));
  if (sum.invalid.length === 0 && sum.total !== PPM_TOTAL) problems.rates = "提供割合の合計をちょうど100%（1,000,000 ppm）にしてください";
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
      stock_shards: totalStock === null ? null : stockShards,
      starts_at: fromJstInput(form.startsAt),
      ends_at: fromJstInput(form.endsAt),
      guarantee: form.guarantee ? { min_rarity: form.guarantee } : null,
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
      setForm(fromGacha(loaded.data));
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
        setServerProblems(fieldProblems(error));
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
      setServerProblems(fieldProblems(result.error));
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
          <select id="kind" value={form.kind} onChange={() => change({ kind: "rate" })}>
            <option value="rate">提供割合ガチャ（毎回の抽選で提供割合どおり）</option>
          </select>
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
            <div>
              <label htmlFor="total_stock">販売する回数の上限（空欄: 無制限）</label>
              <input id="total_stock" inputMode="numeric" value={form.totalStock} onChange={(e) => change({ totalStock: e.target.value })} {...described("total_stock", problems)} />
              <FieldError id="total_stock" problems={problems} />
            </div>
            <div>
              <label htmlFor="stock_shards">在庫の分割数（空欄: 上限回数から自動）</label>
              <input id="stock_shards" inputMode="numeric" value={form.stockShards} disabled={form.totalStock.trim() === ""} onChange={(e) => change({ stockShards: e.target.value })} {...described("stock_shards", problems)} />
              <p className="help">発売直後に購入が集中する限定ガチャ向け（1分割あたり毎秒約250件）</p>
              <FieldError id="stock_shards" problems={problems} />
            </div>
          </div>
          <label htmlFor="guarantee">10連の保証（最後の1回で保証するレアリティ以上）</label>
          <select id="guarantee" value={form.guarantee} onChange={(e) => change({ guarantee: e.target.value as Rarity | "" })} {...described("guarantee", problems)}>
            <option value="">保証なし</option>
            {meta.rarities.map((r) => (
              <option key={r} value={r}>
                {r}以上
              </option>
            ))}
          </select>
          <FieldError id="guarantee" problems={problems} />
        </fieldset>

        <fieldset disabled={!editable}>
          <legend>景品と提供割合</legend>
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
        </fieldset>
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
            <RateDisclosure gacha={preview} lang="ja" readAt={previewAt} fairnessHref="#preview-heading" />
          </div>
        ) : (
          <p className="muted">すべての項目を正しく入力し、合計が100%になるとプレビューが表示されます。</p>
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
