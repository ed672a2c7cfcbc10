import type { Metadata } from "next";

import { PLACEHOLDER_MARK, SITE } from "@/lib/site";

export const metadata: Metadata = { title: "お問い合わせ" };

export default function ContactPage() {
  return (
    <>
      <h1>お問い合わせ</h1>
      <p>ご注文・お支払い・獲得アイテムについては、注文番号を添えて下記までご連絡ください。</p>
      <dl className="facts">
        <dt>メールアドレス</dt>
        <dd className={SITE.email.includes(PLACEHOLDER_MARK) ? "placeholder" : undefined}>{SITE.email}</dd>
        <dt>受付時間</dt>
        <dd className={SITE.hours.includes(PLACEHOLDER_MARK) ? "placeholder" : undefined}>{SITE.hours}</dd>
      </dl>
    </>
  );
}
