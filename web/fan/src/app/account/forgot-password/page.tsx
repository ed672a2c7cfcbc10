"use client";
/** "Forgot password": always the same answer, whether or not the address has an account. */
import { useState, type FormEvent } from "react";

import { errorCode } from "@oshi/shared";

import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";

export default function ForgotPasswordPage() {
  const { t, lang } = useI18n();
  const [email, setEmail] = useState("");
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/password/forgot", { body: { email } });
    setBusy(false);
    if (!data) return setProblem(errorMessage(errorCode(error), lang));
    setDone(true);
  }

  return (
    <>
      <h1>{t("forgotTitle")}</h1>
      {done ? (
        <p className="ok" role="status">
          {t("resetRequested")}
        </p>
      ) : (
        <form onSubmit={submit}>
          <p>{t("forgotHelp")}</p>
          <label htmlFor="email">{t("email")}</label>
          <input id="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <div className="actions">
            <button className="primary" type="submit" disabled={busy}>
              {t("sendResetLink")}
            </button>
          </div>
        </form>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
