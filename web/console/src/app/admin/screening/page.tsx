"use client";
/** The screening queue: applicants with their details and links; approve, or reject with a reason. */
import { useCallback, useEffect, useState } from "react";

import { Dialog, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatBytes, formatDateTime } from "@/lib/time";

type Vtuber = Schemas["AdminVtuberOut"];
type Status = Schemas["VtuberStatus"];
const LABEL: Record<Status, string> = { pending: "審査待ち", approved: "承認済み", rejected: "却下", suspended: "停止中" };

function Queue() {
  const [status, setStatus] = useState<Status>("pending");
  const [items, setItems] = useState<Vtuber[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<Vtuber | null>(null);
  const [suspending, setSuspending] = useState<Vtuber | null>(null);
  const [reason, setReason] = useState("");

  const load = useCallback(async () => {
    setItems(null);
    const { data, error } = await api.GET("/api/admin/vtubers", { params: { query: { status, limit: 50 } } });
    if (data) setItems(data.items);
    else setProblem(errorMessage(error));
  }, [status]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads from the API; state is set when it answers
    void load();
  }, [load]);

  async function approve(v: Vtuber) {
    const { data, error } = await api.POST("/api/admin/vtubers/{vtuber_id}/approve", { params: { path: { vtuber_id: v.vtuber_id } } });
    setMessage(data ? `「${v.channel_name}」を承認しました。` : errorMessage(error));
    await load();
  }

  async function reject() {
    if (!rejecting) return;
    const { data, error } = await api.POST("/api/admin/vtubers/{vtuber_id}/reject", {
      params: { path: { vtuber_id: rejecting.vtuber_id } },
      body: { reason },
    });
    setMessage(data ? `「${rejecting.channel_name}」を却下しました。` : errorMessage(error));
    setRejecting(null);
    setReason("");
    await load();
  }

  async function suspend() {
    if (!suspending) return;
    const { data, error } = await api.POST("/api/admin/vtubers/{vtuber_id}/suspend", {
      params: { path: { vtuber_id: suspending.vtuber_id } },
      // The handler reads an optional {"reason"} body that the generated OpenAPI does not declare yet.
      body: { reason } as never,
    });
    setMessage(data ? `「${suspending.channel_name}」を停止しました（理由: ${reason}）。` : errorMessage(error));
    setSuspending(null);
    setReason("");
    await load();
  }

  return (
    <>
      <label htmlFor="status">表示する状態</label>
      <select id="status" value={status} onChange={(e) => setStatus(e.target.value as Status)}>
        {(Object.keys(LABEL) as Status[]).map((s) => (
          <option key={s} value={s}>
            {LABEL[s]}
          </option>
        ))}
      </select>
      {message && (
        <p role="status" className="ok">
          {message}
        </p>
      )}
      {problem && <ErrorBox>{problem}</ErrorBox>}
      {!items && !problem && <Loading />}
      {items && items.length === 0 && <p>該当する申請はありません。</p>}
      {items && items.length > 0 && (
        <ul className="cards">
          {items.map((v) => (
            <li key={v.vtuber_id} className="card" data-testid={`applicant-${v.channel_name}`}>
              <h2>{v.channel_name}</h2>
              <dl className="facts">
                <dt>チャンネル</dt>
                <dd>
                  <a href={v.channel_url} rel="noopener noreferrer" target="_blank">
                    {v.channel_url}
                  </a>
                </dd>
                <dt>自己紹介・サンプル</dt>
                <dd>{v.description || "（なし）"}</dd>
                <dt>申請日時</dt>
                <dd>{formatDateTime(v.applied_at)}</dd>
                <dt>使用容量</dt>
                <dd>{formatBytes(v.storage_bytes)}</dd>
                {v.reason && (
                  <>
                    <dt>理由</dt>
                    <dd>{v.reason}</dd>
                  </>
                )}
              </dl>
              <div className="actions">
                {v.status === "pending" && (
                  <>
                    <button type="button" className="primary" onClick={() => approve(v)}>
                      「{v.channel_name}」を承認
                    </button>
                    <button type="button" className="secondary" onClick={() => setRejecting(v)}>
                      「{v.channel_name}」を却下…
                    </button>
                  </>
                )}
                {v.status === "approved" && (
                  <button type="button" className="secondary" onClick={() => setSuspending(v)}>
                    「{v.channel_name}」を停止…
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Dialog open={rejecting !== null || suspending !== null} title={rejecting ? "申請を却下します" : "VTuberを停止します"} onClose={() => (setRejecting(null), setSuspending(null))}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void (rejecting ? reject() : suspend());
          }}
        >
          <p>{rejecting ? `「${rejecting.channel_name}」の申請を却下します。理由は申請者に表示されます。` : `「${suspending?.channel_name}」を停止します。公開中のガチャも販売停止になります。`}</p>
          <label htmlFor="reason">理由（必須）</label>
          <textarea id="reason" required maxLength={500} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="actions">
            <button type="submit" className="primary" disabled={!reason.trim()}>
              {rejecting ? "却下する" : "停止する"}
            </button>
            <button type="button" className="secondary" onClick={() => (setRejecting(null), setSuspending(null))}>
              やめる
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

export default function ScreeningPage() {
  return (
    <>
      <h1>VTuber審査</h1>
      <Guard need="admin" mfa>
        <Queue />
      </Guard>
    </>
  );
}
