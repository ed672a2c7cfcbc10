"use client";
/**
 * MFA for admins: every admin route needs a token that shows TOTP. Not enrolled: a walkthrough (start →
 * scan the QR code or type the key → confirm a code). Enrolled but this session signed in without the
 * code: sign in again, which asks for it.
 */
import { useRouter } from "next/navigation";
import QRCode from "qrcode";
import { useEffect, useRef, useState, type FormEvent } from "react";

import type { Schemas } from "@oshi/shared";

import { Guard } from "@/components/Status";
import { api, session } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";

function Mfa() {
  const { me, reload } = useAuth();
  const router = useRouter();
  const [setup, setSetup] = useState<Schemas["MfaSetupOut"] | null>(null);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [enabled, setEnabled] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (setup && canvas.current) void QRCode.toCanvas(canvas.current, setup.provisioning_uri, { width: 200, margin: 2 });
  }, [setup]);

  async function start() {
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/mfa/setup");
    if (data) setSetup(data);
    else setProblem(errorMessage(error));
  }

  async function enable(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/mfa/enable", { body: { code } });
    if (data?.mfa_enabled) setEnabled(true);
    else setProblem(errorMessage(error));
  }

  async function signInAgain() {
    await session.signOut();
    await reload();
    router.push("/signin/?next=%2Fadmin%2F");
  }

  if (!me) return null;
  if (me.mfa)
    return (
      <p className="ok" role="status" data-testid="mfa-state">
        二段階認証済みのセッションです。管理メニューを使えます。
      </p>
    );
  if (me.mfa_enabled || enabled)
    return (
      <>
        <p data-testid="mfa-state">二段階認証は設定済みですが、このセッションはコードなしでログインしています。管理メニューを使うには、ログインし直して確認コードを入力してください。</p>
        <button type="button" className="primary" onClick={signInAgain}>
          ログアウトしてコードでログインし直す
        </button>
      </>
    );
  return (
    <>
      <ol>
        <li>認証アプリ（Google Authenticator など）を用意します。</li>
        <li>「設定を始める」を押し、表示されるQRコードを読み取るか、キーを手入力します。</li>
        <li>アプリに表示された6桁のコードを入力して有効にします。</li>
        <li>ログインし直すと、コードの入力を求められます。</li>
      </ol>
      {!setup ? (
        <button type="button" className="primary" onClick={start}>
          設定を始める
        </button>
      ) : (
        <form onSubmit={enable}>
          <figure>
            <canvas ref={canvas} aria-hidden="true" />
            <figcaption>認証アプリで読み取るQRコード</figcaption>
          </figure>
          <p>
            手入力用のキー: <code>{setup.secret}</code>
          </p>
          <label htmlFor="code">確認コード（6桁）</label>
          <input id="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required value={code} onChange={(e) => setCode(e.target.value)} />
          <div className="actions">
            <button className="primary" type="submit">
              有効にする
            </button>
          </div>
        </form>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </>
  );
}

export default function AdminPage() {
  return (
    <>
      <h1>二段階認証（管理者）</h1>
      <Guard need="admin">
        <Mfa />
      </Guard>
    </>
  );
}
