"""The rate-anomaly alert (docs/fairness.md, section 9): run on a schedule, never because someone read a page.

``GET /api/gachas/{id}/stats`` only reports, per prize, whether the stated rate lies inside the 99% interval
of what was drawn (``fairness_store.stats``). This module turns the same numbers into the ``RateAnomaly``
event and metric for the admins; ``gacha.rate_anomaly_scan`` (``oshi.web.topology.SCHEDULES``) runs
``scan`` every few minutes over the gachas that can have new draws or a fresh final report: listed
(published or suspended), started, and not ended more than ``RECENTLY_ENDED`` ago.

The event id is one per gacha per 1,000 compared draws (``rate-anomaly-<gacha>-<draws // 1000>``): each
run republishes an anomaly that persists with the same id, so a consumer dedupes it, and a new id only
comes with a thousand more draws.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from oshi.draw import fairness_store
from oshi.events.bus import Event, publish
from oshi.events.definitions import RATE_ANOMALY, AnomalousPrize, RateAnomalyData
from oshi.kernel import clock
from oshi.kernel.observability import logger, metrics
from oshi.models.gachas import PUBLIC_LISTING, Gacha, Prize

# After the sale the stats stop moving; a week covers the last draws (queued orders) and the final report.
RECENTLY_ENDED = timedelta(days=7)


@dataclass
class ScanResult:
    checked: int = 0
    anomalous: list[str] = field(default_factory=list)  # gacha ids with at least one prize flagged
    failed: list[str] = field(default_factory=list)  # gacha ids whose check raised (retried next run)


def anomaly_event(stats: fairness_store.GachaStats) -> Event | None:
    """``RateAnomaly`` for the prizes whose stated rate lies outside their interval, or None."""
    flagged = [p for p in stats.prizes if p.anomalous]
    if not flagged:
        return None
    data = RateAnomalyData(
        gacha_id=stats.gacha_id,
        draws=stats.stated_draws,
        prizes=[AnomalousPrize(prize_id=p.prize_id, stated_ppm=p.stated_ppm, drawn=p.drawn) for p in flagged],
    )
    return RATE_ANOMALY.event(data, thousands=stats.stated_draws // 1000)


def candidates(at: datetime) -> Iterator[Gacha]:
    """Listed gachas whose sale has started and ended less than ``RECENTLY_ENDED`` ago (catalogue index)."""
    return iter(
        Gacha.in_catalogue.query(
            PUBLIC_LISTING, Gacha.starts_at <= at, filter_condition=Gacha.ends_at >= at - RECENTLY_ENDED
        )
    )


def check(gacha: Gacha, at: datetime) -> fairness_store.GachaStats:
    prizes = sorted(Prize.query(gacha.gacha_id), key=lambda p: int(p.position))
    return fairness_store.stats(gacha, prizes, at)


def scan(at: datetime | None = None, gachas: Iterable[Gacha] | None = None) -> ScanResult:
    """Check every candidate gacha; publish one ``RateAnomaly`` per anomalous gacha. A gacha whose check
    fails does not stop the others; the run then raises after publishing (the schedule's error alarm)."""
    at = at or datetime.fromtimestamp(clock.now(), UTC)
    result = ScanResult()
    alerts: list[Event] = []
    for gacha in candidates(at) if gachas is None else gachas:
        result.checked += 1
        try:
            stats = check(gacha, at)
        except Exception:  # noqa: BLE001 - one bad gacha must not hide the others' anomalies
            logger.exception("rate check failed", extra={"gacha_id": gacha.gacha_id})
            result.failed.append(gacha.gacha_id)
            continue
        event = anomaly_event(stats)
        if event is not None:
            flagged = sum(1 for p in stats.prizes if p.anomalous)
            metrics.add_metric(name="RateAnomaly", unit="Count", value=flagged)
            logger.warning("observed rate outside its interval", extra={"gacha_id": gacha.gacha_id})
            result.anomalous.append(gacha.gacha_id)
            alerts.append(event)
    publish(alerts)
    if result.failed:
        raise RuntimeError(f"rate check failed for {len(result.failed)} gachas: {result.failed[:10]}")
    return result
