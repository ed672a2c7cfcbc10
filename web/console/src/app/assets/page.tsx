"use client";
/**
 * The asset library: each file goes straight to S3 through the presigned POST (XMLHttpRequest, for the
 * upload progress), then the validator checks it by its bytes; the list shows pending → accepted or
 * rejected with the reason, and the storage quota.
 */
import { useCallback, useEffect, useRef, useState, type ChangeEvent } from "react";

import { Dialog, type Schemas } from "@oshi/shared";

import { ErrorBox, Guard, Loading } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatBytes, formatDateTime } from "@/lib/time";

type Asset = Schemas["AssetOut"];
type FileType = Schemas["FileType"];
const TYPES: readonly FileType[] = ["image/png", "image/jpeg", "image/webp", "audio/mpeg", "video/mp4", "application/zip"];
const ACCEPT = ".png,.jpg,.jpeg,.webp,.mp3,.mp4,.zip";
const BY_EXTENSION: Record<string, FileType> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  zip: "application/zip",
};
const STATUS: Record<Asset["status"], string> = { pending: "検査中", validated: "受理", rejected: "却下" };
const REASONS: Record<string, string> = {
  empty_file: "ファイルが空です",
  file_too_large: "申告より大きいファイルか、上限を超えています",
  unknown_type: "ファイルの中身が対応している形式ではありません（中身で判定しています）",
  type_mismatch: "ファイルの中身が申告された形式と違います（中身で判定しています）",
  replaced_after_validation: "検査後にファイルが置き換えられました",
};

type Upload = { name: string; loaded: number; total: number; state: "uploading" | "done" | "failed"; message?: string };

function declaredType(file: File): FileType | null {
  if ((TYPES as readonly string[]).includes(file.type)) return file.type as FileType;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return BY_EXTENSION[extension] ?? null;
}

function post(url: string, fields: Record<string, string>, file: File, onProgress: (loaded: number, total: number) => void): Promise<number> {
  return new Promise((resolve) => {
    const form = new FormData();
    Object.entries(fields).forEach(([key, value]) => form.append(key, value));
    form.append("file", file); // last: S3 ignores fields after the file
    const xhr = new XMLHttpRequest();
    xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
    xhr.addEventListener("load", () => resolve(xhr.status));
    xhr.addEventListener("error", () => resolve(0));
    xhr.open("POST", url);
    xhr.send(form);
  });
}

function Library() {
  const [assets, setAssets] = useState<Schemas["AssetList"] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [viewing, setViewing] = useState<{ asset: Asset; view: Schemas["AssetViewOut"] } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    const { data, error } = await api.GET("/api/vtuber/assets");
    if (data) setAssets(data);
    else setProblem(errorMessage(error));
  }, []);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads from the API; state is set when it answers
    void load();
  }, [load]);
  const pending = assets?.items.some((a) => a.status === "pending") ?? false;
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void load(), 1_500);
    return () => clearInterval(timer);
  }, [pending, load]);

  function update(index: number, change: Partial<Upload>) {
    setUploads((all) => all.map((u, i) => (i === index ? { ...u, ...change } : u)));
  }

  async function uploadOne(file: File, index: number) {
    const type = declaredType(file);
    if (!type) return update(index, { state: "failed", message: "対応していない形式です（PNG, JPEG, WebP, MP3, MP4, ZIP）" });
    const { data, error } = await api.POST("/api/vtuber/upload", {
      body: { filename: file.name, content_type: type, size_bytes: file.size },
    });
    if (!data) return update(index, { state: "failed", message: errorMessage(error) });
    await load(); // shows the pending asset at once
    const status = await post(data.upload.url, data.upload.fields, file, (loaded, total) => update(index, { loaded, total }));
    if (status >= 200 && status < 300) update(index, { state: "done", loaded: file.size });
    else update(index, { state: "failed", message: `アップロードに失敗しました（${status || "通信エラー"}）` });
    await load();
  }

  async function chosen(event: ChangeEvent<HTMLInputElement>) {
    const files = Array.from(event.target.files ?? []);
    const start = uploads.length;
    setUploads((all) => [...all, ...files.map((f) => ({ name: f.name, loaded: 0, total: f.size, state: "uploading" as const }))]);
    await Promise.all(files.map((file, i) => uploadOne(file, start + i)));
    if (input.current) input.current.value = "";
  }

  async function open(asset: Asset) {
    const { data, error } = await api.GET("/api/vtuber/assets/{asset_id}/view", { params: { path: { asset_id: asset.asset_id } } });
    if (data) setViewing({ asset, view: data });
    else setProblem(errorMessage(error));
  }

  if (problem) return <ErrorBox>{problem}</ErrorBox>;
  if (!assets) return <Loading />;
  const storage = assets.storage;
  return (
    <>
      {storage && (
        <p data-testid="quota">
          使用量 {formatBytes(storage.used_bytes)} / {formatBytes(storage.quota_bytes)}（残り {formatBytes(storage.quota_bytes - storage.used_bytes)}、1ファイル最大{" "}
          {formatBytes(storage.max_file_bytes)}）
        </p>
      )}
      <label htmlFor="file">ファイルを選ぶ（PNG, JPEG, WebP, MP3, MP4, ZIP。複数可）</label>
      <input id="file" ref={input} type="file" multiple accept={ACCEPT} onChange={chosen} />
      {uploads.length > 0 && (
        <ul className="uploads" aria-label="アップロード">
          {uploads.map((u, i) => (
            <li key={`${u.name}-${i}`}>
              <label htmlFor={`progress-${i}`}>{u.name}</label>
              <progress id={`progress-${i}`} max={u.total || 1} value={u.loaded} />
              <span role="status">
                {u.state === "uploading" && `送信中 ${Math.floor((u.loaded * 100) / (u.total || 1))}%`}
                {u.state === "done" && "送信完了（検査待ち）"}
                {u.state === "failed" && <span className="error">{u.message}</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h2>素材一覧</h2>
      {assets.items.length === 0 ? (
        <p>まだ素材がありません。</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption>アップロードした素材（新しい順）</caption>
            <thead>
              <tr>
                <th scope="col">ファイル名</th>
                <th scope="col">種類</th>
                <th scope="col">サイズ</th>
                <th scope="col">状態</th>
                <th scope="col">アップロード日時</th>
                <th scope="col">プレビュー</th>
              </tr>
            </thead>
            <tbody>
              {assets.items.map((a) => (
                <tr key={a.asset_id} data-testid={`asset-${a.filename}`}>
                  <th scope="row">{a.filename}</th>
                  <td>{a.detected_type ?? a.declared_type}</td>
                  <td className="num">{a.size_bytes != null ? formatBytes(a.size_bytes) : "—"}</td>
                  <td>
                    <strong className={a.status === "rejected" ? "error" : a.status === "validated" ? "ok" : undefined}>{STATUS[a.status]}</strong>
                    {a.status === "rejected" && <span className="reason">：{(a.reason_code && REASONS[a.reason_code]) || a.reason}</span>}
                  </td>
                  <td>{formatDateTime(a.created_at)}</td>
                  <td>
                    {a.status === "validated" && a.kind && a.kind !== "archive" && (
                      <button type="button" className="secondary" onClick={() => open(a)}>
                        「{a.filename}」を見る
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={viewing !== null} title={viewing ? viewing.asset.filename : "プレビュー"} onClose={() => setViewing(null)}>
        {viewing && (
          <div className="viewer" data-testid="asset-viewer">
            {viewing.view.kind === "image" && (
              // eslint-disable-next-line @next/next/no-img-element -- a short-lived signed URL; static export
              <img src={viewing.view.url} alt={viewing.asset.filename} />
            )}
            {/* eslint-disable jsx-a11y/media-has-caption -- the VTuber's own uploads come without caption tracks */}
            {viewing.view.kind === "audio" && <audio controls src={viewing.view.url} aria-label={viewing.asset.filename} />}
            {viewing.view.kind === "video" && <video controls src={viewing.view.url} aria-label={viewing.asset.filename} />}
            {/* eslint-enable jsx-a11y/media-has-caption */}
          </div>
        )}
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setViewing(null)}>
            閉じる
          </button>
        </div>
      </Dialog>
    </>
  );
}

export default function AssetsPage() {
  return (
    <>
      <h1>素材ライブラリ</h1>
      <Guard need="vtuber">
        <Library />
      </Guard>
    </>
  );
}
