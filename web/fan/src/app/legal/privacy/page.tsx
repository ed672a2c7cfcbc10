import type { Metadata } from "next";

export const metadata: Metadata = { title: "プライバシーポリシー" };

export default function PrivacyPage() {
  return (
    <>
      <h1>プライバシーポリシー</h1>
      <p className="placeholder">【要設定】運営者が確定したプライバシーポリシーの本文をここに掲載してください。</p>
      <ul>
        <li>取得する情報: メールアドレス、表示名、生年月日（年齢確認と未成年の利用上限のため）、購入履歴。</li>
        <li>カード情報は決済代行会社（Stripe、KOMOJU）が取り扱い、当サイトは保存しません。</li>
        <li>ログイン状態の維持に、JavaScriptから読めないCookieを1つだけ使います。</li>
      </ul>
    </>
  );
}
