"use client";
import Link from "next/link";
import { Suspense, type ReactNode } from "react";

import { hasRole, useAuth } from "@/lib/auth";

export function Loading() {
  return (
    <p role="status" className="muted">
      読み込み中…
    </p>
  );
}

export function ErrorBox({ children }: { children?: ReactNode }) {
  return (
    <p role="alert" className="error">
      {children ?? "エラーが発生しました。時間をおいてもう一度お試しください。"}
    </p>
  );
}

/** Pages that read `?id=` render inside Suspense (static export: useSearchParams needs a boundary). */
export function WithParams({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function signInLink() {
  const back = typeof window === "undefined" ? "/" : window.location.pathname + window.location.search;
  return `/signin/?next=${encodeURIComponent(back)}`;
}

/**
 * Renders children only for a signed-in user with the role (and, for admin pages, a token that shows MFA).
 * Otherwise says what is missing and links to the step that gives it.
 */
export function Guard({ need, mfa = false, children }: { need?: "vtuber" | "admin"; mfa?: boolean; children: ReactNode }) {
  const { state, me } = useAuth();
  if (state === "unknown") return <Loading />;
  if (state === "signed-out" || !me)
    return (
      <p>
        ログインが必要です。 <Link href={signInLink()}>ログインする</Link>
      </p>
    );
  if (need === "vtuber" && !hasRole(me, "vtuber"))
    return (
      <p>
        VTuberとして承認されたアカウントだけが使えます。 <Link href="/apply/">VTuber申請へ</Link>
      </p>
    );
  if (need === "admin" && !hasRole(me, "admin")) return <ErrorBox>管理者だけが使えるページです。</ErrorBox>;
  if (mfa && !me.mfa)
    return (
      <p>
        管理画面は二段階認証（TOTP）が必要です。 <Link href="/admin/">二段階認証の設定・確認へ</Link>
      </p>
    );
  return <>{children}</>;
}
