"use client";
/** The audit log of one UTC day (one hash chain): browse, filter by action/actor, see the chain's state as
 * the API checked it, and export the whole day as JSON (verifiable offline with tools/verify_audit.py). */
import { useCallback, useEffect, useMemo, useState } from "react";

import { formatCount, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { download } from "@/lib/csv";
import { errorMessage } from "@/lib/errors";
import { formatDateTime } from "@/lib/time";

type Entry = Schemas["AuditEntryOut"];

async function wholeDay(date: string): Promise<{ entries: Entry[]; chain: Schemas["ChainCheck"] } | { error: unknown }> {
  const entries: Entry[] = [];
  let after = 0;
  let chain: Schemas["ChainCheck"] | null = null;
  for (;;) {
    const { data, error } = await api.GET("/api/admin/audit", { params: { query: { date, after_seq: after, limit: 500 } } });
    if (!data) return { error };
    entries.push(...data.entries);
    chain = data.chain;
    if (data.next_after_seq == null) break;
    after = data.next_after_seq;
  }
  return { entries, chain };
}

function Audit() {
  const [date, setDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [chain, setChain] = useState<Schemas["ChainCheck"] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [filter, setFilter] = useState("");

  const load = useCallback(async () => {
    setEntries(null);
    setProblem(null);
    const result = await wholeDay(date);
    if ("error" in result) return setProblem(errorMessage(result.error));
    setEntries(result.entries);
    setChain(result.chain);
  }, [date]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads from the API; state is set when it answers
    void load();
  }, [load]);

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!entries) return [];
    return needle ? entries.filter((e) => `${e.action} ${e.actor} ${e.target}`.toLowerCase().includes(needle)) : entries;
  }, [entries, filter]);

  return (
    <>
      <div className="search">
        <div>
          <label htmlFor="date">日付（UTC、1日が1つのハッシュチェーン）</label>
          <input id="date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </div>
        <div>
          <label htmlFor="filter">絞り込み（操作・実行者・対象）</label>
          <input id="filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        <button type="button" className="secondary" onClick={() => void load()}>
          再読み込み
        </button>
      </div>
      {problem && <ErrorBox>{problem}</ErrorBox>}
      {!entries && !problem && <Loading />}
      {chain && entries && (
        <>
          <p data-testid="chain-state" className={chain.intact ? "ok" : "error"}>
            {chain.intact ? "チェーンは完全です" : "チェーンに問題があります"}（{formatCount(chain.entries)}件）
          </p>
          {chain.pending > 0 && (
            <p data-testid="chain-pending">
              連結待ち {formatCount(chain.pending)}件（記録済み、まもなくチェーンに追加されます）
            </p>
          )}
          {chain.problems.length > 0 && (
            <ul>
              {chain.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => download(`audit-${date}.json`, JSON.stringify(entries, null, 1), "application/json")}>
              この日の監査ログをエクスポート（JSON）
            </button>
          </div>
          <div className="table-scroll">
            <table data-testid="audit-table">
              <caption>
                {formatCount(shown.length)} / {formatCount(entries.length)}件
              </caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">日時</th>
                  <th scope="col">操作</th>
                  <th scope="col">実行者</th>
                  <th scope="col">対象</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <tr key={e.seq}>
                    <td className="num">{e.seq}</td>
                    <td>{formatDateTime(e.at)}</td>
                    <th scope="row">{e.action}</th>
                    <td>{e.actor}</td>
                    <td>{e.target}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

export default function AuditPage() {
  return (
    <>
      <h1>監査ログ</h1>
      <Guard need="admin" mfa>
        <Audit />
      </Guard>
    </>
  );
}
