"use client";
/**
 * One order: waiting for payment (konbini instructions and deadline), drawing, then the reveal. Polling
 * the order is the source of truth (every 2 s until it settles).
 */
import Link from "next/link";
import { useEffect, useState } from "react";

import { formatCount, formatYen, type Schemas } from "@oshi/shared";

import { Reveal } from "@/components/Reveal";
import { ErrorBox, Loading, SignedIn } from "@/components/Status";
import { WithParams } from "@/components/Suspended";
import { api } from "@/lib/api";
import { tDynamic, useI18n } from "@/lib/i18n";
import { watchOrder } from "@/lib/orderEvents";
import { formatDateTime } from "@/lib/time";
import { useQueryParam } from "@/lib/useQueryParam";

type Order = Schemas["OrderOut"] & {
  payment?: {
    method: string;
    checkout_url: string | null;
    konbini: { store: string | null; deadline: string; instructions_url: string | null } | null;
  } | null;
};
const SETTLED = new Set(["FULFILLED", "FAILED", "EXPIRED", "REFUNDED"]);
const POLL_MS = 2000;

/**
 * Prizes this fan had not won before this order: their reward box lists what each earlier order of this
 * gacha granted (by prize name, before this order was paid). One page of the newest rewards is enough for
 * a badge; an older duplicate beyond it only shows NEW once more.
 */
async function firstTimePrizes(order: Order): Promise<Set<string>> {
  const { data } = await api.GET("/api/rewards/list", { params: { query: { source: "gacha", limit: 50 } } });
  const before = order.paid_at ?? order.created_at;
  const seen = new Set(
    (data?.items ?? []).filter((r) => r.gacha_id === order.gacha_id && r.acquired_at < before).map((r) => r.name),
  );
  return new Set((order.results?.items ?? []).filter((i) => !seen.has(i.name)).map((i) => i.prize_id));
}

function OrderView() {
  const id = useQueryParam("id");
  const checkout = useQueryParam("checkout");
  const { t, lang } = useI18n();
  const [order, setOrder] = useState<Order | null>(null);
  const [title, setTitle] = useState("");
  const [newPrizes, setNewPrizes] = useState<Set<string>>(new Set());
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!id) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let busy = false; // one read at a time: a nudge during a read waits for the next poll
    const poll = async () => {
      if (busy || !live) return;
      busy = true;
      clearTimeout(timer);
      try {
        await readOnce();
      } catch {
        if (live) timer = setTimeout(poll, POLL_MS * 2); // offline for a moment: keep polling
      } finally {
        busy = false;
      }
    };
    const readOnce = async () => {
      const { data, response } = await api.GET("/api/gacha/orders/{order_id}", { params: { path: { order_id: id } } });
      if (!live) return;
      if (!data) {
        if (response.status === 404) setFailed(true);
        else timer = setTimeout(poll, POLL_MS * 2);
        return;
      }
      const current = data as Order;
      if (current.status === "FULFILLED") setNewPrizes(await firstTimePrizes(current));
      setOrder(current);
      if (!SETTLED.has(current.status)) timer = setTimeout(poll, POLL_MS);
    };
    poll();
    // A WebSocket nudge (when configured) reads the order at once instead of at the next poll.
    const unwatch = watchOrder(id, () => {
      poll();
    });
    return () => {
      live = false;
      clearTimeout(timer);
      unwatch();
    };
  }, [id]);

  useEffect(() => {
    if (!order) return;
    api
      .GET("/api/gachas/{gacha_id}", { params: { path: { gacha_id: order.gacha_id } } })
      .then(({ data }) => setTitle(data?.title ?? ""));
  }, [order?.gacha_id]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!id || failed) return <ErrorBox>{t("notFound")}</ErrorBox>;
  if (!order) return <Loading />;

  const konbini = order.payment?.konbini ?? null;
  const checkoutUrl = order.payment?.checkout_url ?? order.redirect_url;
  const best = order.results?.items.reduce((a, b) => (RANK.indexOf(b.rarity) > RANK.indexOf(a.rarity) ? b : a));
  const shareText =
    lang === "ja"
      ? `「${title}」で${order.count}回引いて${best ? `${best.rarity}「${best.name}」` : ""}が当たりました！`
      : `I drew ${order.count} on "${title}"${best ? ` and got ${best.rarity} "${best.name}"` : ""}!`;
  const shareUrl = typeof window === "undefined" ? "" : `${window.location.origin}/gacha/?id=${order.gacha_id}`;

  return (
    <>
      <h1>{t("orderTitle")}</h1>
      <div className="card summary">
        <dl>
          <dt>{t("item")}</dt>
          <dd>{title || order.gacha_id}</dd>
          <dt>{t("quantity")}</dt>
          <dd>
            {order.count}
            {t("draws")}
          </dd>
          <dt>{t("total")}</dt>
          <dd>{formatYen(order.amount)}</dd>
        </dl>
        <p data-testid="order-status" role="status">
          <strong>{tDynamic(t, `status_${order.status}`, order.status)}</strong>
        </p>
      </div>

      {order.status === "PENDING_PAYMENT" && (
        <section aria-labelledby="wait-heading">
          <h2 id="wait-heading">{t("waitingPayment")}</h2>
          {checkout === "cancelled" && <p>{t("checkoutCancelled")}</p>}
          {konbini && (
            <>
              <h3>{t("konbiniInstructions")}</h3>
              {konbini.store && <p>{konbini.store}</p>}
              <p>
                {t("payBy")}: <time dateTime={konbini.deadline}>{formatDateTime(konbini.deadline, lang)}</time>
              </p>
              {konbini.instructions_url && (
                <p>
                  <a href={konbini.instructions_url} rel="noopener noreferrer">
                    {t("konbiniInstructions")}
                  </a>
                </p>
              )}
            </>
          )}
          {!konbini && order.payment_expires_at && (
            <p>
              {t("payBy")}: {formatDateTime(order.payment_expires_at, lang)}
            </p>
          )}
          {checkoutUrl && (
            <p>
              <a className="button" href={checkoutUrl}>
                {t("continuePayment")}
              </a>
            </p>
          )}
        </section>
      )}
      {order.status === "PAID" && <p role="status">{t("drawing")}</p>}
      {order.status === "FAILED" && <p role="alert">{t("orderFailed")}</p>}
      {order.status === "EXPIRED" && <p role="alert">{t("orderExpired")}</p>}
      {order.status === "REFUNDED" && <p role="status">{t("orderRefunded")}</p>}

      {order.status === "FULFILLED" && order.results && (
        <>
          <Reveal items={order.results.items} newPrizes={newPrizes} />
          {order.medals_awarded != null && (
            <p data-testid="medals-gained">
              {t("medalsGained")}: <strong>{formatCount(order.medals_awarded)}</strong>
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={() => {
                if (navigator.share) navigator.share({ text: shareText, url: shareUrl }).catch(() => undefined);
                else window.open(xIntent(shareText, shareUrl), "_blank", "noopener");
              }}
            >
              {t("share")}
            </button>
            <a className="button secondary" href={xIntent(shareText, shareUrl)} target="_blank" rel="noopener noreferrer">
              {t("shareOnX")}
            </a>
            <Link className="button secondary" href="/rewards/">
              {t("navRewards")}
            </Link>
          </div>
        </>
      )}
    </>
  );
}

const RANK = ["N", "R", "SR", "SSR", "UR"];

function xIntent(text: string, url: string): string {
  return `https://twitter.com/intent/tweet?text=${encodeURIComponent(text)}&url=${encodeURIComponent(url)}`;
}

export default function OrderPage() {
  return (
    <WithParams>
      <SignedIn>
        <OrderView />
      </SignedIn>
    </WithParams>
  );
}
