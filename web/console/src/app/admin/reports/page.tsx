"use client";
/** Reconciliation (paid vs fulfilled per JST day and provider), the medal-ledger check, and stated vs
 * observed rates for one gacha (the public statistics the anomaly scan also reads). */
import { useEffect, useState, type FormEvent } from "react";

import { formatCount, formatYen, ppmToPercent, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatDateTime } from "@/lib/time";

function Reports() {
  const [recon, setRecon] = useState<Schemas["ReconciliationOut"] | null>(null);
  const [medals, setMedals] = useState<Schemas["MedalReportOut"] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [gachaId, setGachaId] = useState("");
  const [stats, setStats] = useState<Schemas["StatsOut"] | null>(null);
  const [statsProblem, setStatsProblem] = useState<string | null>(null);

  useEffect(() => {
    api.GET("/api/admin/reconciliation").then(({ data, error }) => (data ? setRecon(data) : setProblem(errorMessage(error))));
    api.GET("/api/admin/medals/report").then(({ data, error }) => (data ? setMedals(data) : setProblem(errorMessage(error))));
  }, []);

  async function loadStats(event: FormEvent) {
    event.preventDefault();
    setStatsProblem(null);
    const { data, error } = await api.GET("/api/gachas/{gacha_id}/stats", { params: { path: { gacha_id: gachaId.trim() } } });
    setStats(data ?? null);
    if (!data) setStatsProblem(errorMessage(error));
  }

  return (
    <>
      {problem && <ErrorBox>{problem}</ErrorBox>}
      <h2>照合レポート</h2>
      {!recon ? (
        <Loading />
      ) : (
        <>
          <p>
            {formatDateTime(recon.generated_at)} 時点・支払い済み {formatCount(recon.paid_orders)}件。{recon.stale_after_minutes}
            分以上付与されていない注文: <strong data-testid="needs-attention">{formatCount(recon.needs_attention.length)}件</strong>
          </p>
          {recon.needs_attention.length > 0 && (
            <ul>
              {recon.needs_attention.map((a) => (
                <li key={a.order_id}>
                  {a.order_id}（{formatYen(a.amount)}・{a.provider}・{a.minutes_waiting}分）
                </li>
              ))}
            </ul>
          )}
          <div className="table-scroll">
            <table>
              <caption>日別・決済事業者別（日本時間）</caption>
              <thead>
                <tr>
                  <th scope="col">日付</th>
                  <th scope="col">事業者</th>
                  <th scope="col">注文</th>
                  <th scope="col">金額</th>
                  <th scope="col">完了</th>
                  <th scope="col">付与待ち</th>
                  <th scope="col">返金</th>
                </tr>
              </thead>
              <tbody>
                {recon.totals.map((t) => (
                  <tr key={`${t.day}-${t.provider}`}>
                    <th scope="row">{t.day}</th>
                    <td>{t.provider}</td>
                    <td className="num">{formatCount(t.orders)}</td>
                    <td className="num">{formatYen(t.amount)}</td>
                    <td className="num">{formatCount(t.fulfilled)}</td>
                    <td className="num">{formatCount(t.awaiting_fulfilment)}</td>
                    <td className="num">
                      {formatCount(t.refunded)}（{formatYen(t.refunded_amount)}）
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h2>メダル台帳の照合</h2>
      {!medals ? (
        <Loading />
      ) : (
        <p data-testid="medal-report" className={medals.ok ? "ok" : "error"}>
          {medals.ok ? "一致" : "不一致あり"}: 残高 {formatCount(medals.balances_checked)}件・台帳 {formatCount(medals.ledger_entries)}行・不一致 {formatCount(medals.mismatches.length)}件
        </p>
      )}
      {medals && medals.mismatches.length > 0 && (
        <ul>
          {medals.mismatches.map((m) => (
            <li key={`${m.fan_id}-${m.vtuber_id}`}>
              {m.fan_id} / {m.vtuber_id}: 台帳 {m.ledger.balance}・残高 {m.balance?.balance ?? "なし"}
            </li>
          ))}
        </ul>
      )}
      <h2>提供割合と実績の比較</h2>
      <form onSubmit={loadStats} className="search">
        <div>
          <label htmlFor="stats-gacha">ガチャID</label>
          <input id="stats-gacha" required value={gachaId} onChange={(e) => setGachaId(e.target.value)} />
        </div>
        <button type="submit" className="secondary">
          表示
        </button>
      </form>
      {statsProblem && <ErrorBox>{statsProblem}</ErrorBox>}
      {stats && (
        <div className="table-scroll">
          <table>
            <caption>
              表示どおりの抽選 {formatCount(stats.draws_at_stated_rates)}回（信頼水準 {stats.confidence}）
            </caption>
            <thead>
              <tr>
                <th scope="col">景品</th>
                <th scope="col">提供割合</th>
                <th scope="col">実績</th>
                <th scope="col">判定</th>
              </tr>
            </thead>
            <tbody>
              {stats.prizes.map((p) => (
                <tr key={p.prize_id}>
                  <th scope="row">
                    {p.rarity} {p.name}
                  </th>
                  <td className="num">{ppmToPercent(p.stated_ppm)}%</td>
                  <td className="num">{formatCount(p.drawn)}回</td>
                  <td className={p.within_interval ? "ok" : "error"}>{p.within_interval ? "範囲内" : "要確認（範囲外）"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export default function ReportsPage() {
  return (
    <>
      <h1>レポート</h1>
      <Guard need="admin" mfa>
        <Reports />
      </Guard>
    </>
  );
}
