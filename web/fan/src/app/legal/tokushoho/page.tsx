import type { Metadata } from "next";

import { PLACEHOLDER_MARK, SITE } from "@/lib/site";

export const metadata: Metadata = { title: "特定商取引法に基づく表記" };

const ROWS: [string, string][] = [
  ["販売事業者", SITE.seller],
  ["運営統括責任者", SITE.responsible],
  ["所在地", SITE.address],
  ["電話番号", SITE.phone],
  ["メールアドレス", SITE.email],
  ["受付時間", SITE.hours],
  ["販売価格", "各ガチャのページに税込価格で表示しています（単発・10連）。"],
  ["商品代金以外の必要料金", "インターネット接続料金・通信料金はお客様のご負担です。コンビニ払いの手数料はかかりません。"],
  [
    "お支払い方法",
    "クレジットカード（Stripe）、コンビニ払い・PayPay（KOMOJU）",
  ],
  [
    "お支払い時期",
    "クレジットカード・PayPay：ご注文確定時。コンビニ払い：ご注文後、表示されるお支払い期限まで。",
  ],
  ["商品の引渡時期", "お支払いの確認後すぐに抽選し、結果とデジタルアイテムを本サイト上でお渡しします。"],
  [
    "返品・キャンセル",
    "デジタルコンテンツの性質上、お支払い後の返品・キャンセルはできません。抽選を実行できなかった場合や当社の誤りによる請求があった場合は全額返金します。",
  ],
  ["動作環境", "最新版のChrome、Safari、Edge、Firefox"],
];

export default function TokushohoPage() {
  return (
    <>
      <h1>特定商取引法に基づく表記</h1>
      <table>
        <tbody>
          {ROWS.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className={value.includes(PLACEHOLDER_MARK) ? "placeholder" : undefined}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
