"use client";
/**
 * The VTuber's campaigns (docs/draw.md, "Campaigns"): a medal multiplier (x2 to x5, one gacha or all of
 * them) or a first 10-draw discount (one gacha). A campaign starts at least 10 minutes after it is created
 * and is never edited; it can be cancelled until 10 minutes before it starts (the API says which:
 * ``cancellable``). The API's refusals (CAMPAIGN_OVERLAP, CAMPAIGN_FROZEN, a field's problem) are shown as
 * sentences.
 */
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from "react";

import { formatCount, formatYen, type Schemas } from "@oshi/shared";

import { Confirm } from "@/components/Confirm";
import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage, fieldProblems, type FieldProblems } from "@/lib/errors";
import { formatDateTime, fromJstInput, toJstInput } from "@/lib/time";

type Campaign = Schemas["CampaignOut"];
type Kind = Schemas["CampaignIn"]["kind"];
type Draft = { kind: Kind; title: string; gachaId: string; multiplier: string; priceTen: string; startsAt: string; endsAt: string };

const KIND_LABELS: Record<Kind, string> = { medal_multiplier: "メダル倍率", first_ten_discount: "初回10連割引" };
const INTEGER = /^\d{1,9}$/;

function blank(): Draft {
  const start = new Date(Date.now() + 24 * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  return {
    kind: "medal_multiplier",
    title: "",
    gachaId: "",
    multiplier: "2",
    priceTen: "",
    startsAt: toJstInput(start),
    endsAt: toJstInput(new Date(start.getTime() + 7 * 24 * 3_600_000)),
  };
}

function Field({ id, label, problems, children, help }: { id: string; label: string; problems: FieldProblems; children: ReactNode; help?: string }) {
  return (
    <div>
      <label htmlFor={`c-${id}`}>{label}</label>
      {children}
      {help && <p className="help">{help}</p>}
      {problems[id] && (
        <p id={`c-${id}-error`} className="error">
          {problems[id]}
        </p>
      )}
    </div>
  );
}

function described(id: string, problems: FieldProblems) {
  return { id: `c-${id}`, "aria-invalid": Boolean(problems[id]), "aria-describedby": problems[id] ? `c-${id}-error` : undefined };
}

function Campaigns() {
  const [items, setItems] = useState<Campaign[] | null>(null);
  const [gachas, setGachas] = useState<Schemas["OwnGachaSummary"][]>([]);
  const [draft, setDraft] = useState<Draft>(blank);
  const [problems, setProblems] = useState<FieldProblems>({});
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState<Campaign | null>(null);

  const load = useCallback(async () => {
    const [mine, own] = await Promise.all([api.GET("/api/vtuber/campaigns"), api.GET("/api/vtuber/gachas")]);
    if (mine.data) setItems(mine.data.items);
    else setProblem(errorMessage(mine.error));
    if (own.data) setGachas(own.data.items);
  }, []);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads from the API; state is set when it answers
    void load();
  }, [load]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: FieldProblems = {};
    const multiplier = draft.kind === "medal_multiplier";
    if (!draft.title.trim()) local.title = "入力してください";
    if (multiplier && !INTEGER.test(draft.multiplier.trim())) local.multiplier = "半角数字（整数）で入力してください";
    if (!multiplier && !INTEGER.test(draft.priceTen.trim())) local.price_ten = "半角数字（整数）で入力してください";
    if (!multiplier && !draft.gachaId) local.gacha_id = "初回10連割引は対象のガチャを1つ選んでください";
    setProblems(local);
    setMessage(null);
    if (Object.keys(local).length > 0) return;
    const body: Schemas["CampaignIn"] = {
      kind: draft.kind,
      title: draft.title,
      gacha_id: draft.gachaId || null,
      multiplier: multiplier ? Number(draft.multiplier) : null,
      price_ten: multiplier ? null : Number(draft.priceTen),
      starts_at: fromJstInput(draft.startsAt),
      ends_at: fromJstInput(draft.endsAt),
    };
    setBusy(true);
    const { data, error } = await api.POST("/api/vtuber/campaigns", { body });
    setBusy(false);
    if (!data) {
      setProblems(fieldProblems(error));
      setMessage(errorMessage(error));
      return;
    }
    setMessage(`キャンペーン「${data.title}」を作成しました。開始前に確定し、以後は変更できません。`);
    setDraft(blank());
    await load();
  }

  async function cancel() {
    if (!cancelling) return;
    const { data, error } = await api.POST("/api/vtuber/campaigns/{campaign_id}/cancel", { params: { path: { campaign_id: cancelling.campaign_id } } });
    setMessage(data ? `キャンペーン「${data.title}」を取り消しました。` : errorMessage(error));
    setCancelling(null);
    await load();
  }

  const gachaTitle = (id: string | null) => (id ? (gachas.find((g) => g.gacha_id === id)?.title ?? id) : "すべてのガチャ");
  const multiplier = draft.kind === "medal_multiplier";

  if (problem) return <ErrorBox>{problem}</ErrorBox>;
  if (!items) return <Loading />;
  return (
    <>
      <h2>キャンペーンを作成</h2>
      <p className="help">キャンペーンは開始の10分以上前に作成し、作成後は変更できません（開始の10分前までは取り消せます）。提供割合は変わりません。コンプリート（景品をそろえること）への特典は設定できません。</p>
      <form onSubmit={submit} noValidate>
        <div className="grid-2">
          <Field id="kind" label="種類" problems={problems}>
            <select {...described("kind", problems)} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as Kind })}>
              <option value="medal_multiplier">{KIND_LABELS.medal_multiplier}（期間中に支払われた注文のメダルが倍）</option>
              <option value="first_ten_discount">{KIND_LABELS.first_ten_discount}（ファン1人1回、最初の10連が割引価格）</option>
            </select>
          </Field>
          <Field id="title" label="キャンペーン名" problems={problems}>
            <input {...described("title", problems)} maxLength={100} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
          </Field>
          <Field id="gacha_id" label={multiplier ? "対象のガチャ" : "対象のガチャ（1つ）"} problems={problems}>
            <select {...described("gacha_id", problems)} value={draft.gachaId} onChange={(e) => setDraft({ ...draft, gachaId: e.target.value })}>
              <option value="">{multiplier ? "すべてのガチャ" : "選んでください"}</option>
              {gachas.map((g) => (
                <option key={g.gacha_id} value={g.gacha_id}>
                  {g.title}（{formatYen(g.price_ten)}／10連）
                </option>
              ))}
            </select>
          </Field>
          {multiplier ? (
            <Field id="multiplier" label="メダルの倍率（2〜5倍）" problems={problems}>
              <input {...described("multiplier", problems)} inputMode="numeric" value={draft.multiplier} onChange={(e) => setDraft({ ...draft, multiplier: e.target.value })} />
            </Field>
          ) : (
            <Field id="price_ten" label="初回10連の価格（円・税込）" problems={problems} help="通常の10連の価格より安くしてください">
              <input {...described("price_ten", problems)} inputMode="numeric" value={draft.priceTen} onChange={(e) => setDraft({ ...draft, priceTen: e.target.value })} />
            </Field>
          )}
          <Field id="starts_at" label="開始（日本時間）" problems={problems}>
            <input {...described("starts_at", problems)} type="datetime-local" step={1} value={draft.startsAt} onChange={(e) => setDraft({ ...draft, startsAt: e.target.value })} />
          </Field>
          <Field id="ends_at" label="終了（日本時間）" problems={problems}>
            <input {...described("ends_at", problems)} type="datetime-local" step={1} value={draft.endsAt} onChange={(e) => setDraft({ ...draft, endsAt: e.target.value })} />
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            作成する
          </button>
        </div>
        {message && (
          <p role="status" data-testid="campaign-message">
            {message}
          </p>
        )}
      </form>

      <h2>キャンペーン一覧</h2>
      {items.length === 0 ? (
        <p>まだキャンペーンがありません。</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="campaigns" className="campaigns-table">
            <caption>開始の早い順</caption>
            <thead>
              <tr>
                <th scope="col">キャンペーン</th>
                <th scope="col">種類</th>
                <th scope="col">対象</th>
                <th scope="col">内容</th>
                <th scope="col">期間</th>
                <th scope="col">状態</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.campaign_id}>
                  <th scope="row">{c.title}</th>
                  <td>{KIND_LABELS[c.kind]}</td>
                  <td>{gachaTitle(c.gacha_id)}</td>
                  <td className="num">{c.multiplier != null ? `メダル ${formatCount(c.multiplier)}倍` : c.price_ten != null ? `初回10連 ${formatYen(c.price_ten)}` : "—"}</td>
                  <td>
                    {formatDateTime(c.starts_at)} 〜 {formatDateTime(c.ends_at)}
                  </td>
                  <td>{c.active ? "開催中" : new Date(c.ends_at) < new Date() ? "終了" : "開始前"}</td>
                  <td>
                    {c.cancellable ? (
                      <button type="button" className="secondary nowrap" aria-label={`「${c.title}」を取り消す…`} onClick={() => setCancelling(c)}>
                        取り消す…
                      </button>
                    ) : (
                      "取り消し不可"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Confirm open={cancelling !== null} title="キャンペーンを取り消しますか？" confirmLabel="取り消す" onConfirm={cancel} onCancel={() => setCancelling(null)}>
        「{cancelling?.title}」を取り消します。取り消したキャンペーンは元に戻せません（記録は監査ログに残ります）。
      </Confirm>
    </>
  );
}

export default function CampaignsPage() {
  return (
    <>
      <h1>キャンペーン</h1>
      <Guard need="vtuber">
        <Campaigns />
      </Guard>
    </>
  );
}
