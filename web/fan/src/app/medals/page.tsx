"use client";
import { useCallback, useEffect, useState } from "react";

import { formatCount, type Schemas } from "@oshi/shared";

import { ExchangeShop } from "@/components/ExchangeShop";
import { Loading, SignedIn } from "@/components/Status";
import { api } from "@/lib/api";
import { tDynamic, useI18n } from "@/lib/i18n";
import { formatDateTime } from "@/lib/time";

function Ledger({ vtuberId }: { vtuberId: string }) {
  const { t, lang } = useI18n();
  const [entries, setEntries] = useState<Schemas["LedgerEntryOut"][]>([]);
  useEffect(() => {
    api
      .GET("/api/medals/{vtuber_id}/history", { params: { path: { vtuber_id: vtuberId }, query: { limit: 20 } } })
      .then(({ data }) => setEntries(data?.items ?? []));
  }, [vtuberId]);
  return (
    <details>
      <summary className="check">{t("ledger")}</summary>
      <ul>
        {entries.map((e) => (
          <li key={e.entry_id}>
            {formatDateTime(e.created_at, lang)} · {tDynamic(t, `kind_${e.kind}`, e.kind)} ·{" "}
            {e.delta > 0 ? "+" : ""}
            {formatCount(e.delta)}
          </li>
        ))}
      </ul>
    </details>
  );
}

function Medals() {
  const { t } = useI18n();
  const [balances, setBalances] = useState<Schemas["BalancesOut"] | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const load = useCallback(() => {
    api.GET("/api/medals").then(({ data }) => setBalances(data ?? null));
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    balances?.items.forEach((b) =>
      api.GET("/api/vtubers/{vtuber_id}", { params: { path: { vtuber_id: b.vtuber_id } } }).then(({ data }) => {
        if (data) setNames((n) => ({ ...n, [b.vtuber_id]: data.channel_name }));
      }),
    );
  }, [balances]);
  if (!balances) return <Loading />;
  return (
    <>
      <h1>{t("medalsTitle")}</h1>
      {balances.items.length === 0 && <p>{t("none")}</p>}
      {balances.items.map((b) => (
        <section key={b.vtuber_id} className="card" aria-labelledby={`v-${b.vtuber_id}`}>
          <h2 id={`v-${b.vtuber_id}`}>{names[b.vtuber_id] ?? b.vtuber_id}</h2>
          <p data-testid="medal-balance">
            {t("balance")}: <strong>{formatCount(b.balance)}</strong>
          </p>
          <Ledger vtuberId={b.vtuber_id} />
          <ExchangeShop vtuberId={b.vtuber_id} balance={b.balance} onTraded={load} />
        </section>
      ))}
    </>
  );
}

export default function MedalsPage() {
  return (
    <SignedIn>
      <Medals />
    </SignedIn>
  );
}
