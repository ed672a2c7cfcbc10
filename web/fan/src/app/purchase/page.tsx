"use client";
/**
 * The final confirmation screen (特定商取引法 §12-6): what, how many, the total incl. tax, the payment
 * method, when it is charged and delivered, the cancellation rules, links to the rates and the legal
 * notice; the button says what it does. One Idempotency-Key per attempt, kept across retries of it.
 */
import Link from "next/link";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { errorCode, formatYen, type Schemas } from "@oshi/shared";

import { ErrorBox, Loading, SignedIn } from "@/components/Status";
import { WithParams } from "@/components/Suspended";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { tDynamic, useI18n, type Key } from "@/lib/i18n";
import { fetchSpending, type Spending } from "@/lib/spending";
import { useQueryParam } from "@/lib/useQueryParam";

type Method = { value: "card" | "konbini" | "paypay"; provider: "stripe" | "komoju"; label: Key };
const METHODS: Method[] = [
  { value: "card", provider: "stripe", label: "payCard" },
  { value: "konbini", provider: "komoju", label: "payKonbini" },
  { value: "paypay", provider: "komoju", label: "payPaypay" },
];

function Confirm() {
  const id = useQueryParam("id");
  const count = useQueryParam("count") === "10" ? 10 : 1;
  const { t, lang } = useI18n();
  const [gacha, setGacha] = useState<Schemas["GachaDetail"] | null>(null);
  const [spending, setSpending] = useState<Spending | null>(null);
  // The caller's own prices: the first 10-draw discount (初回限定) if it is still theirs to use.
  const [me, setMe] = useState<Schemas["GachaMe"] | null>(null);
  const [method, setMethod] = useState<Method["value"]>("card");
  const [seed, setSeed] = useState("");
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [pendingOrder, setPendingOrder] = useState<string | null>(null);
  const attemptKey = useRef<string | null>(null);

  useEffect(() => {
    if (!id) return;
    api.GET("/api/gachas/{gacha_id}", { params: { path: { gacha_id: id } } }).then(({ data }) => setGacha(data ?? null));
    fetchSpending().then(setSpending);
    api
      .GET("/api/gachas/{gacha_id}/me", { params: { path: { gacha_id: id } } })
      .then(({ data }) => setMe(data ?? null))
      .catch(() => setMe(null));
  }, [id]);

  // Changing what is bought starts a new attempt (a new key); retrying the same one keeps it.
  useEffect(() => {
    attemptKey.current = null;
  }, [method, seed, count, id]);

  if (!id) return <ErrorBox>{t("notFound")}</ErrorBox>;
  if (!gacha) return <Loading />;
  if (gacha.sale_state !== "on_sale") {
    return (
      <>
        <h1>{t("confirmTitle")}</h1>
        <p role="alert">{tDynamic(t, `saleState_${gacha.sale_state}`, gacha.sale_state)}</p>
        <Link href={`/gacha/?id=${gacha.gacha_id}`}>{gacha.title}</Link>
      </>
    );
  }
  const total = count === 10 ? (me?.price_ten ?? gacha.price_ten) : gacha.price_single;
  const overCap = spending?.remaining_jpy != null && spending.remaining_jpy < total;
  const chosen = METHODS.find((m) => m.value === method) ?? METHODS[0];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (submitting || !gacha) return;
    attemptKey.current ??= crypto.randomUUID();
    setSubmitting(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.POST("/api/gacha/purchase", {
        body: {
          gacha_id: gacha.gacha_id,
          count,
          provider: chosen.provider,
          payment_method: chosen.value,
          client_seed: seed.trim() || null,
        },
        headers: { "Idempotency-Key": attemptKey.current },
      });
      if (!data) {
        const code = errorCode(error);
        setProblem(errorMessage(code, lang));
        const details = (error as { error?: { details?: { order_id?: string } } } | undefined)?.error?.details;
        setPendingOrder(code === "ORDER_PENDING" ? (details?.order_id ?? null) : null);
        // A refusal (4xx) settles the attempt: the next click is a new one. After a 5xx or 429 the server may
        // have done the work, so a retry keeps the key and gets the same order back.
        if (response.status < 500 && response.status !== 429) attemptKey.current = null;
        setSubmitting(false);
        return;
      }
      window.location.assign(data.redirect_url ?? `/orders/?id=${data.order_id}`);
    } catch {
      setProblem(errorMessage(null, lang));
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={submit} aria-describedby="cancel-rules">
      <h1>{t("confirmTitle")}</h1>
      <div className="card summary">
        <dl>
          <dt>{t("item")}</dt>
          <dd>{gacha.title}</dd>
          <dt>{t("quantity")}</dt>
          <dd data-testid="quantity">
            {count === 10 ? t("ten") : t("single")}（{count}
            {t("draws")}）
          </dd>
          <dt>{t("total")}</dt>
          <dd data-testid="total">
            <strong>{formatYen(total)}</strong>
            {count === 10 && me?.first_ten && (
              <span data-testid="first-ten">
                {lang === "ja"
                  ? `（初回限定・通常 ${formatYen(me.first_ten.list_price)}）`
                  : ` (first 10-draw offer; usually ${formatYen(me.first_ten.list_price)})`}
              </span>
            )}
          </dd>
        </dl>
      </div>
      {spending?.monthly_cap_jpy != null && spending.remaining_jpy != null && (
        <p data-testid="cap-remaining">
          {t("capRemaining")}: <strong>{formatYen(spending.remaining_jpy)}</strong>（{formatYen(spending.monthly_cap_jpy)}
          ）
        </p>
      )}
      {overCap && <p className="error" role="alert">{t("capExceeded")}</p>}
      <fieldset>
        <legend>{t("paymentMethod")}</legend>
        {METHODS.map((m) => (
          <label className="check" key={m.value}>
            <input
              type="radio"
              name="method"
              value={m.value}
              checked={method === m.value}
              onChange={() => setMethod(m.value)}
            />
            {t(m.label)}
          </label>
        ))}
      </fieldset>
      <h2>{t("chargeTime")}</h2>
      <p>{t("chargeTimeText")}</p>
      <h2>{t("delivery")}</h2>
      <p>{t("deliveryText")}</p>
      <h2>{t("cancellation")}</h2>
      <p id="cancel-rules">{t("cancellationText")}</p>
      <ul>
        <li>
          <Link href={`/gacha/?id=${gacha.gacha_id}#rates-heading`}>{t("linkRates")}</Link>
        </li>
        <li>
          <Link href="/legal/tokushoho/">{t("linkTokushoho")}</Link>
        </li>
      </ul>
      <details>
        <summary className="check">{t("advanced")}</summary>
        <label htmlFor="client-seed">{t("clientSeed")}</label>
        <input id="client-seed" maxLength={128} value={seed} onChange={(e) => setSeed(e.target.value)} aria-describedby="seed-help" />
        <p id="seed-help" className="help">
          {t("clientSeedHelp")}
        </p>
      </details>
      {problem && (
        <p className="error" role="alert">
          {problem}
          {pendingOrder && (
            <>
              {" "}
              <Link href={`/orders/?id=${pendingOrder}`}>{t("orderTitle")}</Link>
            </>
          )}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={submitting || overCap} aria-disabled={submitting || overCap}>
          {submitting ? t("submitting") : `${t("submitPay")}：${formatYen(total)}`}
        </button>
      </div>
    </form>
  );
}

export default function PurchasePage() {
  return (
    <WithParams>
      <SignedIn>
        <Confirm />
      </SignedIn>
    </WithParams>
  );
}
