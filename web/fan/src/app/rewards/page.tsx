"use client";
/** The fan's reward box: filter, view images, play audio/video, download through a short-lived signed URL. */
import { useEffect, useState } from "react";

import { Dialog, errorCode, type Schemas } from "@oshi/shared";

import { ErrorBox, Loading, SignedIn } from "@/components/Status";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { formatDateTime } from "@/lib/time";

type Reward = Schemas["RewardOut"];
type Source = "all" | "gacha" | "exchange";

function Rewards() {
  const { t, lang } = useI18n();
  const [source, setSource] = useState<Source>("all");
  const [items, setItems] = useState<Reward[] | null>(null);
  const [open, setOpen] = useState<{ reward: Reward; url: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const query = source === "all" ? {} : { source };
    api.GET("/api/rewards/list", { params: { query } }).then(({ data }) => setItems(data?.items ?? []));
  }, [source]);

  async function signedUrl(reward: Reward): Promise<string | null> {
    const { data, error } = await api.POST("/api/rewards/download-url", { body: { reward_id: reward.reward_id } });
    if (!data) {
      setProblem(errorMessage(errorCode(error), lang));
      return null;
    }
    return data.url;
  }
  async function view(reward: Reward) {
    const url = await signedUrl(reward);
    if (url) setOpen({ reward, url });
  }
  async function download(reward: Reward) {
    const url = await signedUrl(reward);
    if (url) window.location.assign(url);
  }

  return (
    <>
      <h1>{t("rewardsTitle")}</h1>
      <p className="card">{t("usageTerms")}</p>
      <fieldset>
        <legend>{t("filterAll")} / {t("filterGacha")} / {t("filterExchange")}</legend>
        {(["all", "gacha", "exchange"] as const).map((value) => (
          <label className="check" key={value}>
            <input type="radio" name="source" checked={source === value} onChange={() => setSource(value)} />
            {t(value === "all" ? "filterAll" : value === "gacha" ? "filterGacha" : "filterExchange")}
          </label>
        ))}
      </fieldset>
      {problem && <ErrorBox>{problem}</ErrorBox>}
      {!items ? (
        <Loading />
      ) : items.length === 0 ? (
        <p>{t("none")}</p>
      ) : (
        <ul className="cards" data-testid="rewards">
          {items.map((reward) => (
            <li key={reward.reward_id} className="card">
              <h2>
                {reward.rarity && <span className={`rarity rarity-${reward.rarity.toLowerCase()}`}>{reward.rarity}</span>}{" "}
                {reward.name}
              </h2>
              <p className="muted">
                {reward.file_name} · {formatDateTime(reward.acquired_at, lang)}
              </p>
              <div className="actions">
                <button type="button" className="secondary" onClick={() => view(reward)}>
                  {t("open")}
                </button>
                <button type="button" className="secondary" onClick={() => download(reward)}>
                  {t("download")}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Dialog open={!!open} title={open?.reward.name ?? ""} onClose={() => setOpen(null)}>
        {open && (
          <div className="viewer">
            {open.reward.type.startsWith("image/") && (
              // eslint-disable-next-line @next/next/no-img-element -- signed URL, static export
              <img src={open.url} alt={open.reward.name} />
            )}
            {/* eslint-disable jsx-a11y/media-has-caption -- creators' files come without caption tracks */}
            {open.reward.type.startsWith("audio/") && <audio controls src={open.url} aria-label={open.reward.name} />}
            {open.reward.type.startsWith("video/") && <video controls src={open.url} aria-label={open.reward.name} />}
            {/* eslint-enable jsx-a11y/media-has-caption */}
            <p className="help">{t("usageTerms")}</p>
          </div>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={() => setOpen(null)}>
            {t("close")}
          </button>
        </div>
      </Dialog>
    </>
  );
}

export default function RewardsPage() {
  return (
    <SignedIn>
      <Rewards />
    </SignedIn>
  );
}
