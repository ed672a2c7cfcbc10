"use client";
import Link from "next/link";
import { useEffect, useState } from "react";

import { formatYen, type Schemas } from "@oshi/shared";

import { ErrorBox, Loading, SignedIn } from "@/components/Status";
import { api } from "@/lib/api";
import { tDynamic, useI18n } from "@/lib/i18n";
import { formatDateTime } from "@/lib/time";
import { verify, type Verdict } from "@/lib/verifier";

type Order = Schemas["OrderOut"];

/** The list omits results (it stays small): a settled order's results come from its own endpoint. */
function OrderResults({ orderId }: { orderId: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  useEffect(() => {
    api.GET("/api/gacha/orders/{order_id}", { params: { path: { order_id: orderId } } }).then(({ data }) => setOrder(data ?? null));
  }, [orderId]);
  if (!order?.results) return null;
  return (
    <>
      <ul>
        {order.results.items.map((item) => (
          <li key={item.slot}>
            <span className={`rarity rarity-${item.rarity.toLowerCase()}`}>{item.rarity}</span> {item.name}
          </li>
        ))}
      </ul>
      <VerifyButton order={order} />
    </>
  );
}

function VerifyButton({ order }: { order: Order }) {
  const { t, lang } = useI18n();
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    const { data } = await api.GET("/api/gachas/{gacha_id}/fairness", { params: { path: { gacha_id: order.gacha_id } } });
    setVerdict(data ? await verify({ order, fairness: data }) : { kind: "unavailable" });
    setBusy(false);
  }
  return (
    <>
      <button type="button" className="secondary" onClick={run} disabled={busy}>
        {t("verify")}
      </button>
      <div aria-live="polite">
        {verdict?.kind === "ok" && <p className="ok">{t("verifyOk")}</p>}
        {verdict?.kind === "mismatch" && (
          <p className="error">
            {t("verifyMismatch")}: {verdict.detail}
          </p>
        )}
        {verdict?.kind === "seed-not-revealed" && (
          <p data-testid="seed-not-revealed">
            {t("verifyNotRevealed")}（{formatDateTime(verdict.revealsAfter, lang)}）
          </p>
        )}
        {verdict?.kind === "unavailable" && <p>{t("verifyUnavailable")}</p>}
      </div>
    </>
  );
}

function History() {
  const { t, lang } = useI18n();
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  async function load(after: string | null) {
    const { data } = await api.GET("/api/gacha/orders", { params: { query: { limit: 20, cursor: after ?? undefined } } });
    if (!data) return setFailed(true);
    setOrders((previous) => [...(after ? (previous ?? []) : []), ...data.items]);
    setCursor(data.next_cursor ?? null);
  }
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    load(null);
  }, []);

  if (failed) return <ErrorBox />;
  if (!orders) return <Loading />;
  return (
    <>
      <h1>{t("historyTitle")}</h1>
      {orders.length === 0 && <p>{t("none")}</p>}
      <ul className="cards">
        {orders.map((order) => (
          <li key={order.order_id} className="card" data-order-id={order.order_id}>
            <h2>
              <Link className="title" href={`/orders/?id=${order.order_id}`}>
                {formatDateTime(order.created_at, lang)} · {order.count}
                {t("draws")}
              </Link>
            </h2>
            <p>
              {formatYen(order.amount)} · <strong>{tDynamic(t, `status_${order.status}`, order.status)}</strong>
            </p>
            {order.status === "FULFILLED" && <OrderResults orderId={order.order_id} />}
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" className="secondary" onClick={() => load(cursor)}>
          {t("moreOrders")}
        </button>
      )}
    </>
  );
}

export default function HistoryPage() {
  return (
    <SignedIn>
      <History />
    </SignedIn>
  );
}
