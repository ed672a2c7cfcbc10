"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { errorCode } from "@oshi/shared";

import { WithParams } from "@/components/Suspended";
import { api, session } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { safeNext } from "@/lib/navigation";
import { useQueryParam } from "@/lib/useQueryParam";

function SignIn() {
  const { t, lang } = useI18n();
  const router = useRouter();
  const next = safeNext(useQueryParam("next"));
  const registered = useQueryParam("registered") === "1";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/login", { body: { email, password } });
    setBusy(false);
    if (!data) return setProblem(errorMessage(errorCode(error), lang));
    if (data.mfa_required && data.challenge) return setChallenge(data.challenge);
    if (data.tokens) {
      session.signedIn(data.tokens);
      router.push(next);
    }
  }

  async function verify(event: FormEvent) {
    event.preventDefault();
    if (!challenge) return;
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/mfa/verify", { body: { challenge, code } });
    setBusy(false);
    if (!data) return setProblem(errorMessage(errorCode(error), lang));
    session.signedIn(data);
    router.push(next);
  }

  return (
    <>
      <h1>{t("signInTitle")}</h1>
      {registered && <p className="ok">{t("registered")}</p>}
      {challenge ? (
        <form onSubmit={verify}>
          <label htmlFor="code">{t("mfaCode")}</label>
          <input
            id="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <div className="actions">
            <button className="primary" type="submit" disabled={busy}>
              {t("verifyCode")}
            </button>
          </div>
        </form>
      ) : (
        <form onSubmit={signIn}>
          <label htmlFor="email">{t("email")}</label>
          <input id="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <label htmlFor="password">{t("password")}</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="actions">
            <button className="primary" type="submit" disabled={busy}>
              {t("signIn")}
            </button>
          </div>
          <p>
            <Link href="/account/forgot-password/">{t("forgotPassword")}</Link>
          </p>
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

export default function SignInPage() {
  return (
    <WithParams>
      <SignIn />
    </WithParams>
  );
}
