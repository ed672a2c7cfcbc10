"use client";
/**
 * The account page's issue-18 sections: email verification (resend), change password, and the list of
 * signed-in sessions (revoke one, revoke every other). Change password and "every other" answer with a
 * fresh session for this tab (the others' tokens are void at once).
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";

import { errorCode, type Schemas } from "@oshi/shared";

import { api, session } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { formatDateTime } from "@/lib/time";

type Me = Schemas["MeOut"];
type SessionRow = Schemas["SessionOut"];

export function EmailStatus({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const [note, setNote] = useState<string | null>(null);
  if (me.mail_suppressed) {
    return (
      <p className="error" role="alert">
        {t("mailSuppressed")}
      </p>
    );
  }
  if (me.email_verified !== false) return null;
  async function resend() {
    const { data, error } = await api.POST("/api/auth/email/resend");
    if (!data) return setNote(errorMessage(errorCode(error), lang));
    setNote(data.sent ? t("verificationSent") : t("verificationNotSent"));
  }
  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading">{t("verifyEmailTitle")}</h2>
      <p>{t("emailNotVerified")}</p>
      <button type="button" className="secondary" onClick={resend}>
        {t("resendVerification")}
      </button>
      {note && <p role="status">{note}</p>}
    </section>
  );
}

export function ChangePassword() {
  const { t, lang } = useI18n();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { data, error } = await api.POST("/api/auth/password/change", {
      body: { current_password: current, new_password: next },
    });
    if (!data) return setNote({ ok: false, text: errorMessage(errorCode(error), lang) });
    session.signedIn(data);
    setCurrent("");
    setNext("");
    setNote({ ok: true, text: t("passwordChanged") });
  }

  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">{t("changePassword")}</h2>
      <form onSubmit={submit}>
        <label htmlFor="current-password">{t("currentPassword")}</label>
        <input id="current-password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        <label htmlFor="changed-password">{t("newPassword")}</label>
        <input id="changed-password" type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} />
        <div className="actions">
          <button className="secondary" type="submit">
            {t("changePassword")}
          </button>
        </div>
      </form>
      {note && (
        <p className={note.ok ? "ok" : "error"} role={note.ok ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </section>
  );
}

export function Sessions() {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<SessionRow[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = useCallback(() => {
    api.GET("/api/auth/sessions").then(({ data }) => setRows(data?.items ?? []));
  }, []);
  useEffect(load, [load]);

  async function revoke(id: string) {
    const { error } = await api.DELETE("/api/auth/sessions/{session_id}", { params: { path: { session_id: id } } });
    if (error) setNote(errorMessage(errorCode(error), lang));
    load();
  }
  async function revokeOthers() {
    const { data, error } = await api.POST("/api/auth/sessions/revoke-others");
    if (!data) return setNote(errorMessage(errorCode(error), lang));
    session.signedIn(data);
    setNote(t("othersRevoked"));
    load();
  }
  const when = (seconds: number) => formatDateTime(new Date(seconds * 1000).toISOString(), lang);

  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t("sessionsTitle")}</h2>
      {rows && (
        <ul className="sessions">
          {rows.map((row) => (
            <li key={row.session_id}>
              <dl className="facts">
                <dt>{t("sessionClient")}</dt>
                <dd>{row.client ?? t("unknownClient")}</dd>
                <dt>{t("sessionIp")}</dt>
                <dd>{row.ip ?? t("unknownClient")}</dd>
                <dt>{t("sessionCreated")}</dt>
                <dd>{when(row.created_at)}</dd>
                <dt>{t("sessionLastUsed")}</dt>
                <dd>{when(row.last_used_at)}</dd>
              </dl>
              <button type="button" className="secondary" onClick={() => revoke(row.session_id)}>
                {t("revokeSession")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="secondary" onClick={revokeOthers}>
        {t("revokeOthers")}
      </button>
      {note && <p role="status">{note}</p>}
    </section>
  );
}

export function RecoveryCodes({ codes }: { codes: string[] }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">{t("recoveryCodesTitle")}</h2>
      <p>{t("recoveryCodesHelp")}</p>
      <ul className="codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** For an account with MFA on: new recovery codes (password), or MFA off (password and a code). */
export function ManageMfa({ me, onChange }: { me: Me; onChange: (me: Me) => void }) {
  const { t, lang } = useI18n();
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  async function regenerate() {
    const { data, error } = await api.POST("/api/auth/mfa/recovery-codes", { body: { password } });
    if (!data) return setNote({ ok: false, text: errorMessage(errorCode(error), lang) });
    setCodes(data.recovery_codes);
    setNote(null);
  }
  async function disable() {
    const { data, error } = await api.POST("/api/auth/mfa/disable", { body: { password, code } });
    if (!data) return setNote({ ok: false, text: errorMessage(errorCode(error), lang) });
    session.signedIn(data);
    onChange({ ...me, mfa_enabled: false });
    setNote({ ok: true, text: t("mfaDisabled") });
  }

  return (
    <section aria-labelledby="manage-mfa-heading">
      <h2 id="manage-mfa-heading">{t("recoveryCodesTitle")}</h2>
      {codes && <RecoveryCodes codes={codes} />}
      <label htmlFor="mfa-password">{t("currentPassword")}</label>
      <input id="mfa-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      <div className="actions">
        <button type="button" className="secondary" onClick={regenerate}>
          {t("regenerateCodes")}
        </button>
      </div>
      <label htmlFor="mfa-off-code">{t("mfaCodeOrRecovery")}</label>
      <input id="mfa-off-code" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
      <div className="actions">
        <button type="button" className="secondary" onClick={disable}>
          {t("disableMfa")}
        </button>
      </div>
      {note && (
        <p className={note.ok ? "ok" : "error"} role={note.ok ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </section>
  );
}

export function DataAndDeletion({ onDeleted }: { onDeleted: () => void }) {
  const { t, lang } = useI18n();
  const [password, setPassword] = useState("");
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  async function requestExport() {
    const { data, error } = await api.POST("/api/me/export");
    setNote(data ? { ok: true, text: t("exportRequested") } : { ok: false, text: errorMessage(errorCode(error), lang) });
  }
  async function remove(event: FormEvent) {
    event.preventDefault();
    const { data, error } = await api.POST("/api/me/delete", { body: { password } });
    if (!data) return setNote({ ok: false, text: errorMessage(errorCode(error), lang) });
    await session.signOut(); // every session was ended by the request
    onDeleted();
  }

  return (
    <>
      <section aria-labelledby="export-heading">
        <h2 id="export-heading">{t("exportTitle")}</h2>
        <p>{t("exportHelp")}</p>
        <button type="button" className="secondary" onClick={requestExport}>
          {t("exportRequest")}
        </button>
      </section>
      <section aria-labelledby="delete-heading">
        <h2 id="delete-heading">{t("deleteTitle")}</h2>
        <p>{t("deleteHelp")}</p>
        <form onSubmit={remove}>
          <label htmlFor="delete-password">{t("currentPassword")}</label>
          <input id="delete-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <div className="actions">
            <button className="secondary" type="submit">
              {t("deleteAccount")}
            </button>
          </div>
        </form>
      </section>
      {note && (
        <p className={note.ok ? "ok" : "error"} role={note.ok ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </>
  );
}

export function ChangeEmail() {
  const { t, lang } = useI18n();
  const [password, setPassword] = useState("");
  const [email, setEmail] = useState("");
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { data, error } = await api.POST("/api/auth/email/change", { body: { password, new_email: email } });
    if (!data) return setNote({ ok: false, text: errorMessage(errorCode(error), lang) });
    setNote(data.sent ? { ok: true, text: t("changeEmailSent") } : { ok: false, text: t("verificationNotSent") });
  }

  return (
    <section aria-labelledby="email-heading">
      <h2 id="email-heading">{t("changeEmail")}</h2>
      <form onSubmit={submit}>
        <label htmlFor="new-email">{t("newEmail")}</label>
        <input id="new-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="email-password">{t("currentPassword")}</label>
        <input id="email-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <div className="actions">
          <button className="secondary" type="submit">
            {t("changeEmail")}
          </button>
        </div>
      </form>
      {note && (
        <p className={note.ok ? "ok" : "error"} role={note.ok ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </section>
  );
}
