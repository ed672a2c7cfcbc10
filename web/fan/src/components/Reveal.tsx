"use client";
/**
 * The reveal: a rarity-tiered card per draw (colour and a soft glow, never flashing), one card every
 * 1.2 s for a 10-draw (well under 3 changes a second), then a summary grid. Skippable; under
 * prefers-reduced-motion it starts at the summary. The summary is announced in an aria-live region.
 */
import { useEffect, useState } from "react";

import type { Schemas } from "@oshi/shared";

import { useI18n } from "@/lib/i18n";

type Item = Schemas["DrawnItem"];
const STEP_MS = 1200;

function tier(rarity: string): string {
  return `tier-${rarity.toLowerCase()}`;
}

export function Reveal({ items, newPrizes }: { items: Item[]; newPrizes: Set<string> }) {
  const { t, lang } = useI18n();
  // NEW marks a first-time prize once: on its first slot in this order, not on every copy.
  const firstSlot = new Map<string, number>();
  for (const item of items) if (!firstSlot.has(item.prize_id)) firstSlot.set(item.prize_id, item.slot);
  const isNew = (item: Item) => newPrizes.has(item.prize_id) && firstSlot.get(item.prize_id) === item.slot;
  const [step, setStep] = useState(0);
  const [done, setDone] = useState(false);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) setDone(true);
  }, []);
  useEffect(() => {
    if (done) return;
    const timer = setTimeout(() => (step + 1 < items.length ? setStep(step + 1) : setDone(true)), STEP_MS);
    return () => clearTimeout(timer);
  }, [step, done, items.length]);

  const announcement = done
    ? `${t("drawResults")}: ${items.map((i) => `${i.rarity} ${i.name}${isNew(i) ? ` (${t("newBadge")})` : ""}`).join(lang === "ja" ? "、" : ", ")}`
    : "";
  const current = items[step];
  return (
    <section aria-labelledby="reveal-heading">
      <h2 id="reveal-heading">{t("drawResults")}</h2>
      {!done && current && (
        <div className="reveal-stage" data-testid="reveal-stage">
          <div key={step} className={`reveal-card ${tier(current.rarity)}`} aria-hidden="true">
            <p className="muted">
              {step + 1} / {items.length}
            </p>
            <p>
              <span className={`rarity rarity-${current.rarity.toLowerCase()}`}>{current.rarity}</span>
            </p>
            <p>
              <strong>{current.name}</strong>
            </p>
          </div>
          <div className="actions">
            {step + 1 < items.length && (
              <button type="button" className="secondary" onClick={() => setStep(step + 1)}>
                {t("next")}
              </button>
            )}
            <button type="button" className="primary" onClick={() => setDone(true)}>
              {t("skip")}
            </button>
          </div>
        </div>
      )}
      {done && (
        <ul className="results-grid" data-testid="results-grid">
          {items.map((item) => (
            <li key={item.slot} className={tier(item.rarity)} data-prize-id={item.prize_id}>
              <span className={`rarity rarity-${item.rarity.toLowerCase()}`}>{item.rarity}</span>{" "}
              {isNew(item) && <span className="new-badge">{t("newBadge")}</span>}
              <br />
              {item.name}
            </li>
          ))}
        </ul>
      )}
      <p aria-live="polite" aria-atomic="true" className="sr-only" data-testid="results-live">
        {announcement}
      </p>
    </section>
  );
}
