"use client";
/** Orders: find one by id, or a fan's orders; status, payment and results; retry a stuck fulfilment; refund
 * after a confirmation that names the amount. Suspending a single gacha is here too (by its id). */
import { useState, type FormEvent } from "react";

import { Dialog, formatYen, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatDateTime } from "@/lib/time";

type Order = Schemas["OrderOut"];
const STATUS: Record<Order["status"], string> = {
  PENDING_PAYMENT: "支払い待ち",
  PAID: "支払い済み（抽選待ち）",
  FULFILLED: "完了",
  FAILED: "失敗",
  EXPIRED: "期限切れ",
  REFUNDED: "返金済み",
};

function Orders() {
  const [by, setBy] = useState<"order_id" | "fan_id">("order_id");
  const [query, setQuery] = useState("");
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [refunding, setRefunding] = useState<Order | null>(null);
  const [reason, setReason] = useState("");
  const [gachaId, setGachaId] = useState("");
  const [gachaReason, setGachaReason] = useState("");

  async function search(event?: FormEvent) {
    event?.preventDefault();
    setProblem(null);
    const { data, error } = await api.GET("/api/admin/orders", { params: { query: { [by]: query.trim() } } });
    if (data) setOrders(data.items);
    else {
      setOrders(null);
      setProblem(errorMessage(error));
    }
  }

  async function retry(order: Order) {
    const { data, error } = await api.POST("/api/admin/orders/{order_id}/retry", { params: { path: { order_id: order.order_id } } });
    setMessage(data ? `注文 ${order.order_id} を再処理しました（結果: ${data.outcome}）。` : errorMessage(error));
    await search();
  }

  async function refund(event: FormEvent) {
    event.preventDefault();
    if (!refunding) return;
    const { data, error } = await api.POST("/api/admin/orders/{order_id}/refund", {
      params: { path: { order_id: refunding.order_id } },
      body: { reason },
    });
    setMessage(data ? `注文 ${refunding.order_id} の ${formatYen(refunding.amount)} を返金しました（状態: ${STATUS[data.status]}）。` : errorMessage(error));
    setRefunding(null);
    setReason("");
    await search();
  }

  async function suspendGacha(event: FormEvent) {
    event.preventDefault();
    const { data, error } = await api.POST("/api/admin/gachas/{gacha_id}/suspend", {
      params: { path: { gacha_id: gachaId.trim() } },
      body: { reason: gachaReason },
    });
    setMessage(data ? `ガチャ ${gachaId} の販売を停止しました。` : errorMessage(error));
  }

  return (
    <>
      <form onSubmit={search} className="search">
        <div>
          <label htmlFor="by">検索方法</label>
          <select id="by" value={by} onChange={(e) => setBy(e.target.value as "order_id" | "fan_id")}>
            <option value="order_id">注文ID</option>
            <option value="fan_id">ファンのユーザーID</option>
          </select>
        </div>
        <div>
          <label htmlFor="query">{by === "order_id" ? "注文ID" : "ユーザーID"}</label>
          <input id="query" required value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <button type="submit" className="primary">
          検索
        </button>
      </form>
      {message && (
        <p role="status" className="ok" data-testid="orders-message">
          {message}
        </p>
      )}
      {problem && <ErrorBox>{problem}</ErrorBox>}
      {orders && orders.length === 0 && <p>注文はありません。</p>}
      {orders?.map((o) => (
        <section key={o.order_id} className="card" aria-labelledby={`order-${o.order_id}`} data-testid="order-card">
          <h2 id={`order-${o.order_id}`}>注文 {o.order_id}</h2>
          <dl className="facts">
            <dt>状態</dt>
            <dd data-testid="order-status">{STATUS[o.status]}</dd>
            <dt>金額</dt>
            <dd>
              {formatYen(o.amount)}（{o.count}回）
            </dd>
            <dt>支払い</dt>
            <dd>
              {o.provider}
              {o.payment_method ? ` / ${o.payment_method}` : ""}
              {o.paid_at ? `（${formatDateTime(o.paid_at)}）` : ""}
            </dd>
            <dt>ガチャ</dt>
            <dd>{o.gacha_id}</dd>
            {o.failure_reason && (
              <>
                <dt>失敗の理由</dt>
                <dd>{o.failure_reason}</dd>
              </>
            )}
            {o.results && (
              <>
                <dt>結果</dt>
                <dd>{o.results.items.map((item) => `${item.rarity} ${item.name}`).join("、")}</dd>
              </>
            )}
          </dl>
          <div className="actions">
            {o.status === "PAID" && (
              <button type="button" className="secondary" onClick={() => retry(o)}>
                抽選・付与を再処理
              </button>
            )}
            {(o.status === "PAID" || o.status === "FULFILLED") && (
              <button type="button" className="secondary" onClick={() => setRefunding(o)}>
                返金…
              </button>
            )}
          </div>
        </section>
      ))}
      <Dialog open={refunding !== null} title="返金の確認" onClose={() => setRefunding(null)}>
        {refunding && (
          <form onSubmit={refund}>
            <p data-testid="refund-amount">
              注文 {refunding.order_id} の <strong>{formatYen(refunding.amount)}</strong> を {refunding.provider} で返金します。付与したメダルと景品は回収されます。取り消せません。
            </p>
            <label htmlFor="refund-reason">理由（必須）</label>
            <textarea id="refund-reason" required maxLength={500} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
            <div className="actions">
              <button type="submit" className="primary" disabled={!reason.trim()}>
                {formatYen(refunding.amount)} を返金する
              </button>
              <button type="button" className="secondary" onClick={() => setRefunding(null)}>
                やめる
              </button>
            </div>
          </form>
        )}
      </Dialog>
      <h2>ガチャの販売停止</h2>
      <form onSubmit={suspendGacha}>
        <label htmlFor="gacha-id">ガチャID</label>
        <input id="gacha-id" required value={gachaId} onChange={(e) => setGachaId(e.target.value)} />
        <label htmlFor="gacha-reason">理由（必須）</label>
        <input id="gacha-reason" required maxLength={500} value={gachaReason} onChange={(e) => setGachaReason(e.target.value)} />
        <div className="actions">
          <button type="submit" className="secondary" disabled={!gachaId.trim() || !gachaReason.trim()}>
            このガチャの販売を停止する
          </button>
        </div>
      </form>
    </>
  );
}

export default function OrdersPage() {
  return (
    <>
      <h1>注文</h1>
      <Guard need="admin" mfa>
        <Orders />
      </Guard>
    </>
  );
}
