"use client";
/** The landing page of the reset mail's link (`?token=`): a new password; every session is signed out. */
import Link from "next/link";
import { useState, type FormEvent } from "react";

import { errorCode } from "@oshi/shared";

import { WithParams } from "@/components/Suspended";
import { api, session } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useQueryParam } from "@/lib/useQueryParam";

function ResetPassword() {
  const { t, lang } = useI18n();
  const token = useQueryParam("token") ?? "";
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/password/reset", { body: { token, password } });
    setBusy(false);
    if (!data) return setProblem(errorMessage(errorCode(error) ?? (token ? null : "LINK_TOKEN_INVALID"), lang));
    await session.signOut(); // this tab's session was revoked with all the others
    setDone(true);
  }

  return (
    <>
      <h1>{t("forgotTitle")}</h1>
      {done ? (
        <>
          <p className="ok" role="status">
            {t("passwordReset")}
          </p>
          <p>
            <Link href="/account/signin/">{t("signInTitle")}</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit}>
          <label htmlFor="new-password">{t("newPassword")}</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="actions">
            <button className="primary" type="submit" disabled={busy}>
              {t("setNewPassword")}
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

export default function ResetPasswordPage() {
  return (
    <WithParams>
      <ResetPassword />
    </WithParams>
  );
}
