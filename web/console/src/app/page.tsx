"use client";
import Link from "next/link";

import { Loading } from "@/components/Status";
import { hasRole, useAuth } from "@/lib/auth";

export default function Home() {
  const { state, me } = useAuth();
  return (
    <>
      <h1>管理画面</h1>
      {state === "unknown" && <Loading />}
      {state === "signed-out" && (
        <p>
          VTuberスタジオと運営管理画面です。 <Link href="/signin/">ログインする</Link>
        </p>
      )}
      {me && (
        <>
          <p data-testid="roles">ログイン中（権限: {me.roles.join(", ")}）</p>
          <ul>
            {!hasRole(me, "vtuber") && (
              <li>
                <Link href="/apply/">VTuberとして申請する・申請状況を見る</Link>
              </li>
            )}
            {hasRole(me, "vtuber") && (
              <>
                <li>
                  <Link href="/assets/">素材ライブラリ（アップロード）</Link>
                </li>
                <li>
                  <Link href="/gachas/">ガチャの作成・編集</Link>
                </li>
                <li>
                  <Link href="/exchange/">メダル交換アイテム</Link>
                </li>
                <li>
                  <Link href="/sales/">売上</Link>
                </li>
              </>
            )}
            {hasRole(me, "admin") && (
              <>
                <li>
                  <Link href="/admin/">二段階認証（管理者）</Link>
                </li>
                <li>
                  <Link href="/admin/screening/">VTuber審査</Link>
                </li>
                <li>
                  <Link href="/admin/orders/">注文の検索・返金</Link>
                </li>
                <li>
                  <Link href="/admin/reports/">照合・メダル・提供割合レポート</Link>
                </li>
                <li>
                  <Link href="/admin/audit/">監査ログ</Link>
                </li>
              </>
            )}
          </ul>
        </>
      )}
    </>
  );
}
