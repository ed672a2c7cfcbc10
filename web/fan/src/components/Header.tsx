"use client";
import Link from "next/link";

import { useI18n } from "@/lib/i18n";
import { useAuth } from "@/lib/useSession";

export function Header() {
  const { t, lang, setLang } = useI18n();
  const auth = useAuth();
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <Link href="/" className="brand">
        {t("siteName")}
      </Link>
      <nav aria-label={lang === "ja" ? "メインメニュー" : "Main"}>
        <ul>
          <li>
            <Link href="/">{t("navHome")}</Link>
          </li>
          {auth === "signed-in" ? (
            <>
              <li>
                <Link href="/history/">{t("navHistory")}</Link>
              </li>
              <li>
                <Link href="/rewards/">{t("navRewards")}</Link>
              </li>
              <li>
                <Link href="/medals/">{t("navMedals")}</Link>
              </li>
              <li>
                <Link href="/account/">{t("navAccount")}</Link>
              </li>
            </>
          ) : (
            <>
              <li>
                <Link href="/account/signin/">{t("navSignIn")}</Link>
              </li>
              <li>
                <Link href="/account/signup/">{t("navSignUp")}</Link>
              </li>
            </>
          )}
          <li>
            <button
              type="button"
              className="link-button"
              lang={lang === "ja" ? "en" : "ja"}
              aria-label={t("languageLabel")}
              onClick={() => setLang(lang === "ja" ? "en" : "ja")}
            >
              {t("language")}
            </button>
          </li>
        </ul>
      </nav>
    </header>
  );
}
