"use client";
/** A VTuber's exchange shop: cost, per-fan limit, stock; a confirmation dialog; each 409 as a sentence. */
import { useCallback, useEffect, useRef, useState } from "react";

import { Dialog, errorCode, formatCount, type Schemas } from "@oshi/shared";

import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";

type Item = Schemas["ItemOut"];

export function ExchangeShop({ vtuberId, balance, onTraded }: { vtuberId: string; balance: number | null; onTraded?: () => void }) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<Item[]>([]);
  const [chosen, setChosen] = useState<Item | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const attemptKey = useRef<string | null>(null);

  const load = useCallback(() => {
    api.GET("/api/exchange/items", { params: { query: { vtuber_id: vtuberId } } }).then(({ data }) => setItems(data?.items ?? []));
  }, [vtuberId]);
  useEffect(load, [load]);

  async function trade() {
    if (!chosen) return;
    attemptKey.current ??= crypto.randomUUID();
    setBusy(true);
    const { data, error } = await api.POST("/api/exchange/trade", {
      body: { item_id: chosen.item_id, quantity: 1 },
      params: { header: { "idempotency-key": attemptKey.current } },
    });
    setBusy(false);
    if (data) {
      attemptKey.current = null;
      setMessage({ ok: true, text: t("exchanged") });
      setChosen(null);
      load();
      onTraded?.();
      return;
    }
    const code = errorCode(error);
    if (code !== "TRADE_BUSY") attemptKey.current = null; // a refused trade is settled; busy is retried with the same key
    let text = errorMessage(code, lang);
    const details = (error as { error?: { details?: { shortfall?: number } } } | undefined)?.error?.details;
    if (code === "INSUFFICIENT_MEDALS" && details?.shortfall != null) {
      text += lang === "ja" ? `あと${formatCount(details.shortfall)}枚必要です。` : ` You need ${formatCount(details.shortfall)} more.`;
    }
    setMessage({ ok: false, text });
    setChosen(null);
  }

  return (
    <section aria-labelledby={`shop-${vtuberId}`}>
      <h3 id={`shop-${vtuberId}`}>{t("shop")}</h3>
      {items.length === 0 && <p>{t("none")}</p>}
      <ul className="cards">
        {items.map((item) => (
          <li key={item.item_id} className="card" data-item-id={item.item_id}>
            <h4>{item.name}</h4>
            <p>{item.description}</p>
            <dl className="facts">
              <dt>{t("cost")}</dt>
              <dd>{formatCount(item.cost)}</dd>
              <dt>{t("perFanLimit")}</dt>
              <dd>
                {item.your_count != null ? `${formatCount(item.your_count)} / ` : ""}
                {formatCount(item.per_user_limit)}
              </dd>
              <dt>{t("stockLeft")}</dt>
              <dd>{item.remaining == null ? "—" : formatCount(item.remaining)}</dd>
            </dl>
            <button type="button" className="primary" onClick={() => setChosen(item)}>
              {t("exchange")}
            </button>
          </li>
        ))}
      </ul>
      <div aria-live="polite">{message && <p className={message.ok ? "ok" : "error"}>{message.text}</p>}</div>
      <Dialog open={!!chosen} title={t("confirmExchange")} onClose={() => setChosen(null)}>
        {chosen && (
          <p>
            {chosen.name}: {t("cost")} {formatCount(chosen.cost)}
            {balance != null && (
              <>
                {" "}
                · {t("balance")} {formatCount(balance)}
              </>
            )}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={trade} disabled={busy}>
            {t("confirm")}
          </button>
          <button type="button" className="secondary" onClick={() => setChosen(null)}>
            {t("cancel")}
          </button>
        </div>
      </Dialog>
    </section>
  );
}
