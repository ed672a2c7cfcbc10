"use client";
import { useRouter } from "next/navigation";
import QRCode from "qrcode";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { errorCode, type Schemas } from "@oshi/shared";

import { SignedIn } from "@/components/Status";
import { api, session } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";

import { ChangeEmail, ChangePassword, DataAndDeletion, EmailStatus, ManageMfa, RecoveryCodes, Sessions } from "./AccountSecurity";

function Account() {
  const { t, lang } = useI18n();
  const router = useRouter();
  const [me, setMe] = useState<Schemas["MeOut"] | null>(null);
  const [setup, setSetup] = useState<Schemas["MfaSetupOut"] | null>(null);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    api.GET("/api/me").then(({ data }) => setMe(data ?? null));
  }, []);
  useEffect(() => {
    // The QR code is drawn here in the browser: the secret never goes to a third-party QR service.
    if (setup && canvas.current) QRCode.toCanvas(canvas.current, setup.provisioning_uri, { width: 200, margin: 2 });
  }, [setup]);

  async function startMfa() {
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/mfa/setup");
    if (!data) return setProblem(errorMessage(errorCode(error), lang));
    setSetup(data);
  }
  async function enable(event: FormEvent) {
    event.preventDefault();
    const { data, error } = await api.POST("/api/auth/mfa/enable", { body: { code } });
    if (!data) return setProblem(errorMessage(errorCode(error), lang));
    setSetup(null);
    setRecoveryCodes(data.recovery_codes ?? null); // shown once
    setMe(me && { ...me, mfa_enabled: data.mfa_enabled });
  }
  async function signOut() {
    await session.signOut();
    router.push("/");
  }

  return (
    <>
      <h1>{t("accountTitle")}</h1>
      {me && (
        <dl className="facts">
          <dt>{t("displayName")}</dt>
          <dd>{me.display_name}</dd>
          <dt>{t("email")}</dt>
          <dd>{me.email}</dd>
          <dt>{t("birthDate")}</dt>
          <dd>{me.birth_date}</dd>
        </dl>
      )}
      {me && <EmailStatus me={me} />}
      <h2>{t("mfaSetup")}</h2>
      {me?.mfa_enabled ? (
        <>
          <p className="ok">{t("mfaEnabled")}</p>
          {recoveryCodes ? <RecoveryCodes codes={recoveryCodes} /> : <ManageMfa me={me} onChange={setMe} />}
        </>
      ) : setup ? (
        <form onSubmit={enable}>
          <p>{t("mfaScan")}</p>
          <div role="img" aria-label={t("mfaScan")}>
            <canvas ref={canvas} aria-hidden="true" width={200} height={200} />
          </div>
          <p>
            {t("mfaSecret")}: <code>{setup.secret}</code>
          </p>
          <label htmlFor="mfa-code">{t("mfaCode")}</label>
          <input id="mfa-code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          <div className="actions">
            <button className="primary" type="submit">
              {t("verifyCode")}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="secondary" onClick={startMfa}>
          {t("mfaStart")}
        </button>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <ChangePassword />
      <ChangeEmail />
      <Sessions />
      <DataAndDeletion onDeleted={() => router.push("/")} />
      <div className="actions">
        <button type="button" className="secondary" onClick={signOut}>
          {t("signOut")}
        </button>
      </div>
    </>
  );
}

export default function AccountPage() {
  return (
    <SignedIn>
      <Account />
    </SignedIn>
  );
}
