"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { WithParams } from "@/components/Status";
import { api, session } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { safeNext } from "@/lib/navigation";
import { useQueryParam } from "@/lib/useQueryParam";

function SignIn() {
  const router = useRouter();
  const { reload } = useAuth();
  const next = safeNext(useQueryParam("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function done() {
    await reload();
    router.push(next);
  }

  async function signIn(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/login", { body: { email, password } });
    setBusy(false);
    if (!data) return setProblem(errorMessage(error));
    if (data.mfa_required && data.challenge) return setChallenge(data.challenge);
    if (data.tokens) {
      session.signedIn(data.tokens);
      await done();
    }
  }

  async function verify(event: FormEvent) {
    event.preventDefault();
    if (!challenge) return;
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST("/api/auth/mfa/verify", { body: { challenge, code } });
    setBusy(false);
    if (!data) return setProblem(errorMessage(error));
    session.signedIn(data);
    await done();
  }

  return (
    <>
      <h1>ログイン</h1>
      <p className="help">推しガチャのアカウントでログインします。アカウントはファン向けサイトで作成できます。</p>
      {challenge ? (
        <form onSubmit={verify}>
          <p>認証アプリに表示されている6桁のコードを入力してください。</p>
          <label htmlFor="code">確認コード（6桁）</label>
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
              確認する
            </button>
          </div>
        </form>
      ) : (
        <form onSubmit={signIn}>
          <label htmlFor="email">メールアドレス</label>
          <input id="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <label htmlFor="password">パスワード</label>
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
              ログインする
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

export default function SignInPage() {
  return (
    <WithParams>
      <SignIn />
    </WithParams>
  );
}
