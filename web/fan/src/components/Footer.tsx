"use client";
import Link from "next/link";

import { useI18n } from "@/lib/i18n";
import { SITE } from "@/lib/site";

export function Footer() {
  const { t, lang } = useI18n();
  return (
    <footer className="site-footer">
      <nav aria-label={lang === "ja" ? "サイト情報" : "Site information"}>
        <ul>
          <li>
            <Link href="/legal/tokushoho/">{t("footerTokushoho")}</Link>
          </li>
          <li>
            <Link href="/legal/terms/">{t("footerTerms")}</Link>
          </li>
          <li>
            <Link href="/legal/privacy/">{t("footerPrivacy")}</Link>
          </li>
          <li>
            <Link href="/fairness/">{t("footerFairness")}</Link>
          </li>
          <li>
            <Link href="/contact/">{t("footerContact")}</Link>
          </li>
        </ul>
      </nav>
      <p>© {SITE.name}</p>
    </footer>
  );
}
