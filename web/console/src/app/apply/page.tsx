"use client";
/** Apply to become a VTuber, then follow the application; after approval the session refreshes in place. */
import Link from "next/link";
import { useCallback, useEffect, useState, type FormEvent } from "react";

import type { Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { hasRole, useAuth } from "@/lib/auth";
import { errorMessage, fieldProblems, type FieldProblems } from "@/lib/errors";
import { formatDateTime } from "@/lib/time";

const STATUS: Record<string, string> = {
  pending: "審査中",
  approved: "承認済み",
  rejected: "却下",
  suspended: "停止中",
};

function Apply() {
  const { me, reload } = useAuth();
  const [application, setApplication] = useState<Schemas["VtuberOut"] | null | undefined>(undefined);
  const [channelName, setChannelName] = useState("");
  const [channelUrl, setChannelUrl] = useState("");
  const [description, setDescription] = useState("");
  const [problems, setProblems] = useState<FieldProblems>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data, response } = await api.GET("/api/vtuber/application");
    if (data) setApplication(data);
    else if (response.status === 404) setApplication(null);
    else setProblem(errorMessage(undefined));
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads from the API; state is set when it answers
    void load();
  }, [load]);

  // While pending, look again every 5 s; once approved, refresh the session so the studio appears.
  useEffect(() => {
    if (application?.status !== "pending") return;
    const timer = setInterval(() => void load(), 5_000);
    return () => clearInterval(timer);
  }, [application?.status, load]);
  const approvedWithoutRole = application?.status === "approved" && !hasRole(me, "vtuber");
  useEffect(() => {
    if (approvedWithoutRole) void reload(true);
  }, [approvedWithoutRole, reload]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblems({});
    setProblem(null);
    const { data, error } = await api.POST("/api/vtuber/apply", {
      body: { channel_name: channelName, channel_url: channelUrl, description },
    });
    setBusy(false);
    if (data) return setApplication(data);
    setProblems(fieldProblems(error));
    setProblem(errorMessage(error));
  }

  if (application === undefined) return problem ? <ErrorBox>{problem}</ErrorBox> : <Loading />;
  if (application)
    return (
      <section aria-labelledby="state">
        <h2 id="state">申請状況</h2>
        <dl className="facts">
          <dt>チャンネル名</dt>
          <dd>{application.channel_name}</dd>
          <dt>チャンネルURL</dt>
          <dd>{application.channel_url}</dd>
          <dt>申請日時</dt>
          <dd>{formatDateTime(application.applied_at)}</dd>
          <dt>状態</dt>
          <dd>
            <strong data-testid="application-status">{STATUS[application.status] ?? application.status}</strong>
          </dd>
          {application.reason && (
            <>
              <dt>理由</dt>
              <dd>{application.reason}</dd>
            </>
          )}
        </dl>
        {application.status === "pending" && (
          <p role="status">運営が審査しています。承認されるとこの画面が自動で切り替わります。</p>
        )}
        {application.status === "approved" && hasRole(me, "vtuber") && (
          <p className="ok" role="status">
            承認されました。 <Link href="/assets/">素材ライブラリ</Link>から始めましょう。
          </p>
        )}
      </section>
    );
  return (
    <form onSubmit={submit} noValidate>
      <p>プロフィールとチャンネル、サンプル作品のリンクを送ってください。運営が審査します。</p>
      <label htmlFor="channel_name">チャンネル名（必須）</label>
      <input
        id="channel_name"
        required
        maxLength={60}
        value={channelName}
        onChange={(e) => setChannelName(e.target.value)}
        aria-invalid={Boolean(problems.channel_name)}
        aria-describedby={problems.channel_name ? "channel_name-error" : undefined}
      />
      {problems.channel_name && (
        <p id="channel_name-error" className="error">
          {problems.channel_name}
        </p>
      )}
      <label htmlFor="channel_url">チャンネルURL（https://、必須）</label>
      <input
        id="channel_url"
        type="url"
        required
        value={channelUrl}
        onChange={(e) => setChannelUrl(e.target.value)}
        aria-invalid={Boolean(problems.channel_url)}
        aria-describedby={problems.channel_url ? "channel_url-error" : undefined}
      />
      {problems.channel_url && (
        <p id="channel_url-error" className="error">
          {problems.channel_url}
        </p>
      )}
      <label htmlFor="description">自己紹介・リンク・サンプル作品</label>
      <textarea id="description" rows={5} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="actions">
        <button className="primary" type="submit" disabled={busy}>
          申請する
        </button>
      </div>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </form>
  );
}

export default function ApplyPage() {
  return (
    <>
      <h1>VTuber申請</h1>
      <Guard>
        <Apply />
      </Guard>
    </>
  );
}
