"use client";
/** The VTuber's exchange shop: create an item, and edit or withdraw it until its sale starts. */
import { useCallback, useEffect, useState, type FormEvent } from "react";

import { formatCount, type Schemas } from "@oshi/shared";

import { Confirm } from "@/components/Confirm";
import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage, fieldProblems, type FieldProblems } from "@/lib/errors";
import { formatDateTime, fromJstInput, toJstInput } from "@/lib/time";

type Item = Schemas["OwnItemOut"];
type Draft = { name: string; description: string; cost: string; limit: string; stock: string; startsAt: string; endsAt: string; assetId: string };
const INTEGER = /^\d{1,9}$/;

function blank(): Draft {
  const start = new Date(Date.now() + 24 * 3_600_000);
  return {
    name: "",
    description: "",
    cost: "10",
    limit: "1",
    stock: "",
    startsAt: toJstInput(start),
    endsAt: toJstInput(new Date(start.getTime() + 30 * 24 * 3_600_000)),
    assetId: "",
  };
}

function fromItem(item: Item): Draft {
  return {
    name: item.name,
    description: item.description,
    cost: String(item.cost),
    limit: String(item.per_user_limit),
    stock: item.stock == null ? "" : String(item.stock),
    startsAt: toJstInput(item.starts_at),
    endsAt: toJstInput(item.ends_at),
    assetId: item.asset_id,
  };
}

function Exchange() {
  const [items, setItems] = useState<Item[] | null>(null);
  const [assets, setAssets] = useState<Schemas["AssetOut"][]>([]);
  const [draft, setDraft] = useState<Draft>(blank);
  const [editing, setEditing] = useState<Item | null>(null);
  const [withdrawing, setWithdrawing] = useState<Item | null>(null);
  const [problems, setProblems] = useState<FieldProblems>({});
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async () => {
    const [mine, library] = await Promise.all([api.GET("/api/vtuber/exchange-items"), api.GET("/api/vtuber/assets", { params: { query: { status: "validated" } } })]);
    if (mine.data) setItems(mine.data.items);
    else setProblem(errorMessage(mine.error));
    if (library.data) setAssets(library.data.items);
  }, []);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads from the API; state is set when it answers
    void load();
  }, [load]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: FieldProblems = {};
    for (const [field, text, optional] of [
      ["cost", draft.cost, false],
      ["per_user_limit", draft.limit, false],
      ["stock", draft.stock, true],
    ] as const)
      if (!(optional && text.trim() === "") && !INTEGER.test(text.trim())) local[field] = "半角数字（整数）で入力してください";
    if (!draft.assetId) local.asset_id = "素材を選んでください";
    setProblems(local);
    if (Object.keys(local).length > 0) return;
    const body = {
      name: draft.name,
      description: draft.description,
      cost: Number(draft.cost),
      per_user_limit: Number(draft.limit),
      stock: draft.stock.trim() === "" ? null : Number(draft.stock),
      starts_at: fromJstInput(draft.startsAt),
      ends_at: fromJstInput(draft.endsAt),
      asset_id: draft.assetId,
    };
    const result = editing
      ? await api.PUT("/api/vtuber/exchange-items/{item_id}", { params: { path: { item_id: editing.item_id } }, body: { ...body, version: editing.version } })
      : await api.POST("/api/vtuber/exchange-items", { body });
    if (!result.data) {
      setProblems(fieldProblems(result.error));
      setMessage(errorMessage(result.error));
      return;
    }
    setMessage(editing ? `「${body.name}」を更新しました。` : `「${body.name}」を追加しました。`);
    setEditing(null);
    setDraft(blank());
    await load();
  }

  async function withdraw() {
    if (!withdrawing) return;
    const { data, error } = await api.POST("/api/vtuber/exchange-items/{item_id}/withdraw", { params: { path: { item_id: withdrawing.item_id } } });
    setMessage(data ? `「${withdrawing.name}」を取り下げました。` : errorMessage(error));
    setWithdrawing(null);
    await load();
  }

  const field = (id: string, label: string, value: string, set: (v: string) => void, type = "text") => (
    <div>
      <label htmlFor={`x-${id}`}>{label}</label>
      <input
        id={`x-${id}`}
        type={type}
        step={type === "datetime-local" ? 1 : undefined}
        inputMode={type === "text" && id !== "name" ? "numeric" : undefined}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={Boolean(problems[id])}
        aria-describedby={problems[id] ? `x-${id}-error` : undefined}
      />
      {problems[id] && (
        <p id={`x-${id}-error`} className="error">
          {problems[id]}
        </p>
      )}
    </div>
  );

  if (problem) return <ErrorBox>{problem}</ErrorBox>;
  if (!items) return <Loading />;
  return (
    <>
      {message && (
        <p role="status" data-testid="exchange-message">
          {message}
        </p>
      )}
      <h2>{editing ? `「${editing.name}」を編集` : "アイテムを追加"}</h2>
      <form onSubmit={submit} noValidate>
        <div className="grid-2">
          {field("name", "アイテム名", draft.name, (v) => setDraft({ ...draft, name: v }))}
          {field("cost", "必要メダル（1個あたり）", draft.cost, (v) => setDraft({ ...draft, cost: v }))}
          {field("per_user_limit", "1人あたりの上限", draft.limit, (v) => setDraft({ ...draft, limit: v }))}
          {field("stock", "在庫（空欄: 無制限）", draft.stock, (v) => setDraft({ ...draft, stock: v }))}
          {field("starts_at", "交換開始（日本時間）", draft.startsAt, (v) => setDraft({ ...draft, startsAt: v }), "datetime-local")}
          {field("ends_at", "交換終了（日本時間）", draft.endsAt, (v) => setDraft({ ...draft, endsAt: v }), "datetime-local")}
        </div>
        <label htmlFor="x-description">説明</label>
        <textarea id="x-description" rows={2} maxLength={2000} value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
        <label htmlFor="x-asset_id">渡す素材（受理済み）</label>
        <select
          id="x-asset_id"
          value={draft.assetId}
          onChange={(e) => setDraft({ ...draft, assetId: e.target.value })}
          aria-invalid={Boolean(problems.asset_id)}
          aria-describedby={problems.asset_id ? "x-asset_id-error" : undefined}
        >
          <option value="">選んでください</option>
          {assets.map((a) => (
            <option key={a.asset_id} value={a.asset_id}>
              {a.filename}
            </option>
          ))}
        </select>
        {problems.asset_id && (
          <p id="x-asset_id-error" className="error">
            {problems.asset_id}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            {editing ? "更新する" : "追加する"}
          </button>
          {editing && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setEditing(null);
                setDraft(blank());
              }}
            >
              編集をやめる
            </button>
          )}
        </div>
      </form>
      <h2>アイテム一覧</h2>
      {items.length === 0 ? (
        <p>まだアイテムがありません。</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="exchange-items">
            <caption>交換アイテム（取り下げ済みを含む）</caption>
            <thead>
              <tr>
                <th scope="col">アイテム</th>
                <th scope="col">メダル</th>
                <th scope="col">在庫</th>
                <th scope="col">期間</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.item_id}>
                  <th scope="row">
                    {item.name}
                    {item.status === "withdrawn" && "（取り下げ済み）"}
                  </th>
                  <td className="num">{formatCount(item.cost)}</td>
                  <td className="num">{item.stock == null ? "無制限" : `${formatCount(item.remaining ?? 0)} / ${formatCount(item.stock)}`}</td>
                  <td>
                    {formatDateTime(item.starts_at)} 〜 {formatDateTime(item.ends_at)}
                  </td>
                  <td>
                    {item.editable ? (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => {
                            setEditing(item);
                            setDraft(fromItem(item));
                          }}
                        >
                          「{item.name}」を編集
                        </button>{" "}
                        <button type="button" className="secondary" onClick={() => setWithdrawing(item)}>
                          「{item.name}」を取り下げ…
                        </button>
                      </>
                    ) : (
                      "交換開始後は変更できません"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Confirm open={withdrawing !== null} title="アイテムを取り下げますか？" confirmLabel="取り下げる" onConfirm={withdraw} onCancel={() => setWithdrawing(null)}>
        「{withdrawing?.name}」をショップから取り下げます。取り下げた後は元に戻せません。
      </Confirm>
    </>
  );
}

export default function ExchangePage() {
  return (
    <>
      <h1>交換アイテム</h1>
      <Guard need="vtuber">
        <Exchange />
      </Guard>
    </>
  );
}
