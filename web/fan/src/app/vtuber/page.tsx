"use client";
import { useEffect, useState } from "react";

import type { Schemas } from "@oshi/shared";

import { ExchangeShop } from "@/components/ExchangeShop";
import { GachaCard } from "@/components/GachaCard";
import { ErrorBox, Loading } from "@/components/Status";
import { WithParams } from "@/components/Suspended";
import { api } from "@/lib/api";
import { useI18n } from "@/lib/i18n";
import { useQueryParam } from "@/lib/useQueryParam";

function Vtuber() {
  const id = useQueryParam("id");
  const { t } = useI18n();
  const [profile, setProfile] = useState<Schemas["VtuberProfile"] | null>(null);
  const [missing, setMissing] = useState(false);
  const [now] = useState(() => Date.now());
  useEffect(() => {
    if (!id) return;
    api.GET("/api/vtubers/{vtuber_id}", { params: { path: { vtuber_id: id } } }).then(({ data }) => {
      if (data) setProfile(data);
      else setMissing(true);
    });
  }, [id]);
  if (!id || missing) return <ErrorBox>{t("notFound")}</ErrorBox>;
  if (!profile) return <Loading />;
  return (
    <>
      <h1>{profile.channel_name}</h1>
      <p>{profile.description}</p>
      <p>
        <a href={profile.channel_url} rel="noopener noreferrer">
          {profile.channel_url}
        </a>
      </p>
      <h2>{t("gachas")}</h2>
      <ul className="cards">
        {profile.gachas.map((g) => (
          <GachaCard key={g.gacha_id} gacha={g} now={now} />
        ))}
      </ul>
      <ExchangeShop vtuberId={profile.vtuber_id} balance={null} />
    </>
  );
}

export default function VtuberPage() {
  return (
    <WithParams>
      <Vtuber />
    </WithParams>
  );
}
