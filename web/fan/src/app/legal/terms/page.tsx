import type { Metadata } from "next";

import { SITE } from "@/lib/site";

export const metadata: Metadata = { title: "利用規約" };

export default function TermsPage() {
  return (
    <>
      <h1>利用規約</h1>
      <p>版: {SITE.termsVersion}</p>
      <p className="placeholder">【要設定】運営者が確定した利用規約の本文をここに掲載してください。</p>
      <h2>主な内容</h2>
      <ul>
        <li>有料ガチャの提供割合は各ガチャのページに表示します。</li>
        <li>未成年の方は保護者の同意を得てご利用ください。月ごとの利用上限があります。</li>
        <li>獲得したデジタルアイテムは私的利用に限ります。転売・再配布・転載はできません。</li>
        <li>お支払い後の抽選はキャンセルできません（例外は特定商取引法に基づく表記をご覧ください）。</li>
      </ul>
    </>
  );
}
