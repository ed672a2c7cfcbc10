"use client";
import Link from "next/link";
import { useEffect, useState, type FormEvent } from "react";

import type { Schemas } from "@oshi/shared";

import { GachaCard } from "@/components/GachaCard";
import { ErrorBox, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { useI18n, type Key } from "@/lib/i18n";

type Summary = Schemas["GachaSummary"];
type Vtuber = { vtuber_id: string; channel_name: string };
const SORTS = ["ending_soon", "starts_soon", "newest", "price_asc", "price_desc"] as const;
const SORT_LABEL: Record<(typeof SORTS)[number], Key> = {
  ending_soon: "sortEnding",
  starts_soon: "sortStarts",
  newest: "sortNewest",
  price_asc: "sortPriceAsc",
  price_desc: "sortPriceDesc",
};
const ENDING_SOON_MS = 3 * 24 * 3600 * 1000;

/** The catalogue API, with `q`/`sort` when given (older servers ignore or refuse them: then we filter here). */
async function listGachas(query: Record<string, string>): Promise<Summary[]> {
  const { data, error } = await api.GET("/api/gachas", {
    params: { query: query as { status?: Schemas["SaleState"] } },
  });
  if (error || !data) throw new Error("catalogue");
  return data.items;
}

export default function HomePage() {
  const { t } = useI18n();
  const [onSale, setOnSale] = useState<Summary[] | null>(null);
  const [upcoming, setUpcoming] = useState<Summary[]>([]);
  const [vtubers, setVtubers] = useState<Vtuber[]>([]);
  const [failed, setFailed] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<(typeof SORTS)[number]>("ending_soon");
  const [found, setFound] = useState<Summary[] | null>(null);

  useEffect(() => {
    Promise.all([listGachas({ status: "on_sale" }), listGachas({ status: "upcoming" })])
      .then(([sale, soon]) => {
        setOnSale(sale);
        setUpcoming(soon);
      })
      .catch(() => setFailed(true));
    // GET /api/vtubers is newer than some servers: without it the section stays hidden.
    fetch("/api/vtubers", { headers: { "X-Oshi-Client": "web" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((page: { items?: Vtuber[] } | null) => setVtubers(page?.items ?? []))
      .catch(() => setVtubers([]));
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  async function search(event: FormEvent) {
    event.preventDefault();
    try {
      setFound(await listGachas(q.trim() ? { q: q.trim(), sort } : { sort }));
    } catch {
      setFailed(true);
    }
  }

  const endingSoon = (onSale ?? []).filter((g) => Date.parse(g.ends_at) - now < ENDING_SOON_MS);
  return (
    <>
      <h1>{t("catalogue")}</h1>
      <form className="search" role="search" onSubmit={search}>
        <div>
          <label htmlFor="q">{t("searchLabel")}</label>
          <input id="q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <div>
          <label htmlFor="sort">{t("sortLabel")}</label>
          <select id="sort" value={sort} onChange={(e) => setSort(e.target.value as (typeof SORTS)[number])}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(SORT_LABEL[s])}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary">
          {t("search")}
        </button>
      </form>
      {failed && <ErrorBox />}
      {found && (
        <section aria-labelledby="found-heading">
          <h2 id="found-heading">{t("results")}</h2>
          <div aria-live="polite">
            {found.length ? (
              <ul className="cards">
                {found.map((g) => (
                  <GachaCard key={g.gacha_id} gacha={g} now={now} />
                ))}
              </ul>
            ) : (
              <p>{t("none")}</p>
            )}
          </div>
        </section>
      )}
      {onSale === null && !failed ? (
        <Loading />
      ) : (
        <>
          {endingSoon.length > 0 && (
            <section aria-labelledby="ending-heading">
              <h2 id="ending-heading">{t("endingSoon")}</h2>
              <ul className="cards">
                {endingSoon.map((g) => (
                  <GachaCard key={g.gacha_id} gacha={g} now={now} />
                ))}
              </ul>
            </section>
          )}
          <section aria-labelledby="sale-heading">
            <h2 id="sale-heading">{t("onSale")}</h2>
            {onSale?.length ? (
              <ul className="cards">
                {onSale.map((g) => (
                  <GachaCard key={g.gacha_id} gacha={g} now={now} />
                ))}
              </ul>
            ) : (
              <p>{t("none")}</p>
            )}
          </section>
          <section aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">{t("upcoming")}</h2>
            {upcoming.length ? (
              <ul className="cards">
                {upcoming.map((g) => (
                  <GachaCard key={g.gacha_id} gacha={g} now={now} />
                ))}
              </ul>
            ) : (
              <p>{t("none")}</p>
            )}
          </section>
        </>
      )}
      {vtubers.length > 0 && (
        <section aria-labelledby="vtubers-heading">
          <h2 id="vtubers-heading">{t("vtubers")}</h2>
          <ul className="cards">
            {vtubers.map((v) => (
              <li className="card" key={v.vtuber_id}>
                <Link className="title" href={`/vtuber/?id=${v.vtuber_id}`}>
                  {v.channel_name}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
