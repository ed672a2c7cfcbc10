"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { errorCode } from "@oshi/shared";

import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { SITE } from "@/lib/site";

export default function SignUpPage() {
  const { t, lang } = useI18n();
  const router = useRouter();
  const [form, setForm] = useState({ email: "", password: "", display_name: "", birth_date: "" });
  const [accept, setAccept] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (name: keyof typeof form) => ({
    id: name,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/register", {
      body: { ...form, terms_version: SITE.termsVersion, accept_terms: accept, locale: lang },
    });
    setBusy(false);
    if (!data) return setProblem(errorMessage(errorCode(error), lang));
    router.push("/account/signin/?registered=1");
  }

  return (
    <>
      <h1>{t("signUpTitle")}</h1>
      <form onSubmit={submit}>
        <label htmlFor="email">{t("email")}</label>
        <input type="email" autoComplete="email" required {...field("email")} />
        <label htmlFor="password">{t("password")}</label>
        <input type="password" autoComplete="new-password" required minLength={8} {...field("password")} />
        <label htmlFor="display_name">{t("displayName")}</label>
        <input autoComplete="nickname" required maxLength={40} {...field("display_name")} />
        <label htmlFor="birth_date">{t("birthDate")}</label>
        <input type="date" autoComplete="bday" required aria-describedby="bday-help" {...field("birth_date")} />
        <p id="bday-help" className="help">
          {t("birthDateHelp")}
        </p>
        <label className="check">
          <input type="checkbox" required checked={accept} onChange={(e) => setAccept(e.target.checked)} />
          {t("acceptTerms")}
        </label>
        <p className="help">
          <Link href="/legal/terms/">{t("footerTerms")}</Link> · <Link href="/legal/privacy/">{t("footerPrivacy")}</Link> ·{" "}
          {t("termsVersion")}: {SITE.termsVersion}
        </p>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <div className="actions">
          <button className="primary" type="submit" disabled={busy}>
            {t("createAccount")}
          </button>
        </div>
      </form>
    </>
  );
}
