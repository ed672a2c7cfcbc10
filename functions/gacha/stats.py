"""GET /api/gachas/{gacha_id}/stats: per prize, the stated rate against what was drawn so far, with a 99%
Wilson interval; the final report once the sale has ended. Read-only: the ``RateAnomaly`` alert for a
stated rate outside its interval comes from the ``gacha.rate_anomaly_scan`` schedule (docs/fairness.md),
never from a reader."""

from __future__ import annotations

from pydantic import BaseModel

from oshi.catalogue import storefront
from oshi.draw import fairness_store
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class PrizeStatsOut(BaseModel):
    prize_id: str
    name: str
    rarity: str
    stated_rate: float
    stated_ppm: int
    drawn: int
    observed_rate: float | None
    interval_low: float
    interval_high: float
    within_interval: bool


class StatsOut(BaseModel):
    gacha_id: str
    draws_at_stated_rates: int  # main-table draws while nothing had run out: these are compared
    other_draws: (
        int  # guaranteed slots and draws after a limited prize ran out (their proofs show the weights)
    )
    confidence: float
    final: bool
    prizes: list[PrizeStatsOut]


@endpoint
def get_stats(gacha_id: str) -> StatsOut:
    gacha = storefront.public_gacha(gacha_id)
    result = fairness_store.stats(gacha, storefront.prizes_of(gacha_id))
    return StatsOut(
        gacha_id=gacha_id,
        draws_at_stated_rates=result.stated_draws,
        other_draws=result.other_draws,
        confidence=result.confidence,
        final=result.final,
        prizes=[
            PrizeStatsOut(
                prize_id=p.prize_id,
                name=p.name,
                rarity=p.rarity,
                stated_rate=p.stated_ppm / 1_000_000,
                stated_ppm=p.stated_ppm,
                drawn=p.drawn,
                observed_rate=p.observed_rate,
                interval_low=p.interval_low,
                interval_high=p.interval_high,
                within_interval=not p.anomalous,
            )
            for p in result.prizes
        ],
    )


handler = endpoint.lambda_handler
