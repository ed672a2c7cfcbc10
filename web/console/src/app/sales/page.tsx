"use client";
/** Sales per Japan (JST) day for a chosen period: a bar chart, the same numbers as a table, and CSV. */
import { useEffect, useState } from "react";

import { formatCount, formatYen, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { download, toCsv } from "@/lib/csv";
import { errorMessage } from "@/lib/errors";
import { formatDateTime } from "@/lib/time";

const PERIODS = [7, 30, 90, 365] as const;

/** Every JST day of the period, with zeros where nothing sold (the API lists only days with sales). */
function everyDay(report: Schemas["SalesReport"]): Schemas["SalesDay"][] {
  const byDate = new Map(report.per_day.map((d) => [d.date, d]));
  const jstDate = (ms: number) => new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10);
  const out: Schemas["SalesDay"][] = [];
  const last = jstDate(Date.parse(report.until));
  for (let ms = Date.parse(report.since); out.length < 400; ms += 86_400_000) {
    const date = jstDate(ms);
    if (out.length === 0 || out[out.length - 1].date !== date) out.push(byDate.get(date) ?? { date, revenue: 0, draws: 0, orders: 0 });
    if (date >= last) break;
  }
  return out;
}

function Chart({ days }: { days: Schemas["SalesDay"][] }) {
  const max = Math.max(1, ...days.map((d) => d.revenue));
  const width = 640;
  const height = 200;
  const step = days.length ? width / days.length : 0;
  const bar = Math.max(1, step * 0.8);
  const summary = days
    .filter((d) => d.revenue > 0)
    .map((d) => `${d.date}: ${formatYen(d.revenue)}`)
    .join("、");
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={`日別の売上（グラフ）: ${summary || "売上なし"}`}>
      {days.map((d, i) => {
        const h = Math.round((d.revenue * height) / max);
        return <rect key={d.date} x={i * step} y={height - h} width={bar} height={h} />;
      })}
      {days.length > 0 && (
        <>
          <text x={0} y={height + 16} fontSize={12} fill="#5c5566">
            {days[0].date}
          </text>
          <text x={width} y={height + 16} fontSize={12} fill="#5c5566" textAnchor="end">
            {days[days.length - 1].date}
          </text>
        </>
      )}
      <line x1={0} x2={width} y1={height} y2={height} stroke="#5c5566" />
    </svg>
  );
}

function Sales() {
  const [days, setDays] = useState<number>(30);
  const [report, setReport] = useState<Schemas["SalesReport"] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new period: show loading until it answers
    setReport(null);
    api.GET("/api/vtuber/sales", { params: { query: { days } } }).then(({ data, error }) => (data ? setReport(data) : setProblem(errorMessage(error))));
  }, [days]);

  function exportCsv() {
    if (!report) return;
    const rows: (string | number)[][] = [["日付（JST）", "売上（円）", "抽選回数", "注文数"]];
    report.per_day.forEach((d) => rows.push([d.date, d.revenue, d.draws, d.orders]));
    rows.push([]);
    rows.push(["返金（件）", report.refunded.orders, "返金額（円）", report.refunded.amount]);
    download(`sales-${report.since.slice(0, 10)}-${report.until.slice(0, 10)}.csv`, toCsv(rows));
  }

  return (
    <>
      <label htmlFor="period">期間</label>
      <select id="period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
        {PERIODS.map((p) => (
          <option key={p} value={p}>
            直近{p}日
          </option>
        ))}
      </select>
      {problem && <ErrorBox>{problem}</ErrorBox>}
      {!report && !problem && <Loading />}
      {report && (
        <>
          <p className="muted">
            {formatDateTime(report.since)} 〜 {formatDateTime(report.until)}
          </p>
          <dl className="facts" data-testid="sales-summary">
            <dt>売上</dt>
            <dd>{formatYen(report.revenue)}</dd>
            <dt>抽選回数</dt>
            <dd>{formatCount(report.draws)}</dd>
            <dt>注文数</dt>
            <dd>{formatCount(report.orders)}</dd>
            <dt>購入したファン</dt>
            <dd>{formatCount(report.fans)}人</dd>
            <dt>返金（売上とは別）</dt>
            <dd>
              {formatCount(report.refunded.orders)}件・{formatYen(report.refunded.amount)}
            </dd>
          </dl>
          <h2>日別の売上</h2>
          <Chart days={everyDay(report)} />
          <div className="table-scroll">
            <table data-testid="sales-table">
              <caption>日別（日本時間）</caption>
              <thead>
                <tr>
                  <th scope="col">日付</th>
                  <th scope="col">売上</th>
                  <th scope="col">抽選回数</th>
                  <th scope="col">注文数</th>
                </tr>
              </thead>
              <tbody>
                {report.per_day.map((d) => (
                  <tr key={d.date}>
                    <th scope="row">{d.date}</th>
                    <td className="num">{formatYen(d.revenue)}</td>
                    <td className="num">{formatCount(d.draws)}</td>
                    <td className="num">{formatCount(d.orders)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="actions">
            <button type="button" className="secondary" onClick={exportCsv}>
              CSVをダウンロード
            </button>
          </div>
          <h2>よく出た景品</h2>
          {report.top_prizes.length === 0 ? (
            <p>まだありません。</p>
          ) : (
            <ol>
              {report.top_prizes.map((p) => (
                <li key={`${p.gacha_id}-${p.prize_id}`}>
                  {p.name}（{formatCount(p.drawn)}回）
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}

export default function SalesPage() {
  return (
    <>
      <h1>売上</h1>
      <Guard need="vtuber">
        <Sales />
      </Guard>
    </>
  );
}
