"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";

import { session } from "@/lib/api";
import { hasRole, useAuth } from "@/lib/auth";

export function Header() {
  const { state, me, reload } = useAuth();
  const router = useRouter();
  const vtuber = hasRole(me, "vtuber");
  const admin = hasRole(me, "admin");
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        本文へ移動
      </a>
      <Link className="brand" href="/">
        推しガチャ 管理画面
      </Link>
      <nav aria-label="メインメニュー">
        <ul>
          {state === "signed-in" && !vtuber && (
            <li>
              <Link href="/apply/">VTuber申請</Link>
            </li>
          )}
          {vtuber && (
            <>
              <li>
                <Link href="/apply/">申請状況</Link>
              </li>
              <li>
                <Link href="/assets/">素材ライブラリ</Link>
              </li>
              <li>
                <Link href="/gachas/">ガチャ</Link>
              </li>
              <li>
                <Link href="/campaigns/">キャンペーン</Link>
              </li>
              <li>
                <Link href="/exchange/">交換アイテム</Link>
              </li>
              <li>
                <Link href="/sales/">売上</Link>
              </li>
            </>
          )}
          {admin && (
            <>
              <li>
                <Link href="/admin/">二段階認証</Link>
              </li>
              <li>
                <Link href="/admin/screening/">審査</Link>
              </li>
              <li>
                <Link href="/admin/orders/">注文</Link>
              </li>
              <li>
                <Link href="/admin/reports/">レポート</Link>
              </li>
              <li>
                <Link href="/admin/audit/">監査ログ</Link>
              </li>
            </>
          )}
          <li>
            {state === "signed-in" ? (
              <button
                type="button"
                className="link-button"
                onClick={async () => {
                  await session.signOut();
                  await reload();
                  router.push("/signin/");
                }}
              >
                ログアウト
              </button>
            ) : (
              <Link href="/signin/">ログイン</Link>
            )}
          </li>
        </ul>
      </nav>
    </header>
  );
}
