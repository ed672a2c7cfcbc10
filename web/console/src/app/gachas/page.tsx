"use client";
import Link from "next/link";
import { useEffect, useState } from "react";

import { formatYen, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatDateTime } from "@/lib/time";

const STATUS: Record<string, string> = { draft: "下書き", published: "公開中", suspended: "停止中" };

function Gachas() {
  const [list, setList] = useState<Schemas["OwnGachaList"] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api.GET("/api/vtuber/gachas").then(({ data, error }) => (data ? setList(data) : setProblem(errorMessage(error))));
  }, []);
  if (problem) return <ErrorBox>{problem}</ErrorBox>;
  if (!list) return <Loading />;
  return (
    <>
      <p>
        <Link className="button" href="/gachas/edit/">
          新しいガチャを作る
        </Link>
      </p>
      {list.items.length === 0 ? (
        <p>まだガチャがありません。</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption>自分のガチャ（下書きを含む）</caption>
            <thead>
              <tr>
                <th scope="col">タイトル</th>
                <th scope="col">形式</th>
                <th scope="col">状態</th>
                <th scope="col">販売期間</th>
                <th scope="col">単発 / 10連</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((g) => (
                <tr key={g.gacha_id}>
                  <th scope="row">
                    <Link href={`/gachas/edit/?id=${g.gacha_id}`}>{g.title}</Link>
                  </th>
                  <td>
                    {g.kind === "box" ? "BOXガチャ" : "確率ガチャ"}
                    {g.ceiling != null && `（天井${g.ceiling}回）`}
                  </td>
                  <td>
                    {STATUS[g.status] ?? g.status}
                    {g.editable ? "（編集可）" : "（販売開始後は固定）"}
                  </td>
                  <td>
                    {formatDateTime(g.starts_at)} 〜 {formatDateTime(g.ends_at)}
                  </td>
                  <td className="num">
                    {formatYen(g.price_single)} / {formatYen(g.price_ten)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export default function GachasPage() {
  return (
    <>
      <h1>ガチャ</h1>
      <Guard need="vtuber">
        <Gachas />
      </Guard>
    </>
  );
}
