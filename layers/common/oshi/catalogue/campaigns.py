"""Campaigns (issue 20): a VTuber's time-boxed medal multipliers and first 10-draw discounts.

- **Medal multiplier** (``medal_multiplier``): x2 to x5 medals on one gacha or on every gacha of the
  VTuber, for orders *paid* inside ``[starts_at, ends_at)``. The fulfilment applies the multiplier in force
  at ``Order.paid_at`` and records it on the order, in its results and on the ledger entry. Two
  multipliers that could apply to one order (same gacha, or either VTuber-wide) never overlap in time.
- **First 10-draw discount** (``first_ten_discount``, 初回限定): each fan's first 10-draw on the gacha costs
  ``price_ten`` while the campaign runs; enforced once per fan by a claim written in the purchase
  transaction (``first10#<fan>#<gacha>``, condition: new), given back if that order is never paid. The
  disclosed rates do not change. The active discount is copied onto the gacha item
  (``Gacha.first_ten``), which the purchase reads anyway: no extra round trip.

**Frozen once started, with a lead**: a campaign is created at least ``LEAD`` (10 minutes) before it
starts and can never be edited. So the fulfilment may cache a VTuber's campaigns for ``LEAD``: any campaign
in force when an order was paid was created at least ``LEAD`` before that, so a cache younger than ``LEAD``
holds it (no read on the hot path). Every creation is audited (``campaign.created``).

**Cancelled only before the lead**: a campaign can be cancelled (deleted; the audit entry
``campaign.cancelled`` keeps what it was) until ``LEAD`` before it starts, never after: a fulfilment's cache
loaded before the cancellation is at most ``LEAD / 2`` old, so it has expired before the campaign would
have started, and no order is ever paid under a campaign the VTuber cancelled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from oshi.kernel import clock
from oshi.kernel.errors import (
    CampaignFrozen,
    CampaignNotFound,
    CampaignOverlap,
    GachaInvalid,
    GachaNotFound,
)
from oshi.models.campaigns import LOCK, Campaign
from oshi.models.gachas import Gacha

if TYPE_CHECKING:
    from oshi.kernel.txn import Txn

MEDAL_MULTIPLIER = "medal_multiplier"
FIRST_TEN = "first_ten_discount"
KINDS = (MEDAL_MULTIPLIER, FIRST_TEN)
LEAD = timedelta(minutes=10)
MAX_DAYS = 31
MULTIPLIERS = range(2, 6)
FIRST_TEN_MIN = 1_000  # lineup_queries.PRICE_TEN_MIN (not imported: lineup imports this package's neighbours)


@dataclass(frozen=True)
class CampaignSpec:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    gacha_id: str | None = None
    multiplier: int | None = None
    price_ten: int | None = None


def _problem(field: str, message: str, kind: str) -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def check_spec(spec: CampaignSpec, gacha: Gacha | None, now: datetime) -> list[dict[str, str]]:
    problems = []
    if spec.kind not in KINDS:
        return [_problem("kind", f"kind is one of {', '.join(KINDS)}", "unknown_kind")]
    if not spec.title.strip():
        problems.append(_problem("title", "a campaign needs a title", "blank"))
    if spec.starts_at.tzinfo is None or spec.ends_at.tzinfo is None:
        return [*problems, _problem("starts_at", "give a time zone (e.g. +09:00 or Z)", "naive_datetime")]
    if spec.starts_at < now + LEAD:
        problems.append(
            _problem(
                "starts_at",
                f"a campaign starts at least {int(LEAD.total_seconds() // 60)} minutes from now (it is frozen before it starts)",
                "start_too_soon",
            )
        )
    if spec.ends_at <= spec.starts_at:
        problems.append(_problem("ends_at", "a campaign ends after it starts", "end_before_start"))
    elif spec.ends_at - spec.starts_at > timedelta(days=MAX_DAYS):
        problems.append(_problem("ends_at", f"a campaign lasts at most {MAX_DAYS} days", "window_too_long"))
    if spec.kind == MEDAL_MULTIPLIER:
        if spec.multiplier not in MULTIPLIERS:
            problems.append(_problem("multiplier", "an integer multiplier from 2 to 5", "out_of_bounds"))
        if spec.price_ten is not None:
            problems.append(_problem("price_ten", "a multiplier has no price", "not_for_kind"))
    else:
        if spec.gacha_id is None:
            problems.append(_problem("gacha_id", "a first 10-draw discount is for one gacha", "required"))
        if spec.multiplier is not None:
            problems.append(_problem("multiplier", "a discount has no multiplier", "not_for_kind"))
        price = spec.price_ten
        if gacha is not None and (
            type(price) is not int or not FIRST_TEN_MIN <= price < int(gacha.price_ten)
        ):
            problems.append(
                _problem(
                    "price_ten",
                    f"the first 10-draw costs {FIRST_TEN_MIN} JPY to less than the 10-draw price ({int(gacha.price_ten)})",
                    "price_out_of_bounds",
                )
            )
    return problems


def _overlaps(a: Campaign, spec: CampaignSpec) -> bool:
    if a.kind != spec.kind or a.starts_at is None or a.ends_at is None:
        return False
    same_scope = a.gacha_id is None or spec.gacha_id is None or a.gacha_id == spec.gacha_id
    return same_scope and a.starts_at < spec.ends_at and spec.starts_at < a.ends_at


def of_vtuber(vtuber_id: str, *, consistent: bool = False) -> list[Campaign]:
    return [c for c in Campaign.query(vtuber_id, consistent_read=consistent) if c.campaign_id != LOCK]


def create(user_id: str, spec: CampaignSpec, *, request_id: str | None = None) -> Campaign:
    # The writes' modules load here, not at import: the public gacha page reads campaigns (a read route's
    # cold start, docs/performance.md §1).
    from oshi import audit
    from oshi.catalogue import vtuber_queries
    from oshi.kernel.ids import new_id
    from oshi.kernel.txn import ConditionsFailed, Txn

    vtuber = vtuber_queries.require_approved(user_id)
    now = clock.utc_now()
    gacha = None
    if spec.gacha_id is not None:
        try:
            gacha = Gacha.get(spec.gacha_id, consistent_read=True)
        except DoesNotExist:  # the same 404 as another VTuber's gacha
            gacha = None
        if gacha is None or gacha.vtuber_id != vtuber.vtuber_id:
            raise GachaNotFound()
    problems = check_spec(spec, gacha, now)
    if problems:
        raise GachaInvalid("The campaign is invalid.", details=problems)
    existing = list(Campaign.query(vtuber.vtuber_id, consistent_read=True))
    lock = next((c for c in existing if c.campaign_id == LOCK), None)
    clash = [c.campaign_id for c in existing if c.campaign_id != LOCK and _overlaps(c, spec)]
    if clash:
        raise CampaignOverlap(details={"overlaps": clash})
    campaign = Campaign(
        vtuber.vtuber_id,
        new_id(),
        kind=spec.kind,
        gacha_id=spec.gacha_id,
        title=spec.title.strip(),
        multiplier=spec.multiplier,
        price_ten=spec.price_ten,
        starts_at=spec.starts_at.astimezone(UTC),
        ends_at=spec.ends_at.astimezone(UTC),
        created_by=user_id,
        created_at=now,
    )
    txn = Txn()
    txn.put("campaign", campaign, condition=Campaign.campaign_id.does_not_exist())
    _bump_lock(txn, vtuber.vtuber_id, lock)
    if spec.kind == FIRST_TEN and gacha is not None:
        # the purchase reads the gacha anyway: it finds the discounts there (the lock serialises this list)
        offers = [o for o in (gacha.first_ten or []) if datetime.fromisoformat(o["ends_at"]) > now]
        offers.append(
            {
                "campaign_id": campaign.campaign_id,
                "price_ten": spec.price_ten,
                "starts_at": campaign.starts_at.isoformat(),
                "ends_at": campaign.ends_at.isoformat(),
            }
        )
        # version + 1: an editor holding the older gacha gets 409 instead of writing the list back without it
        txn.update(
            "gacha", Gacha(gacha.gacha_id), actions=[Gacha.first_ten.set(offers), Gacha.version.add(1)]
        )
    audit.add(  # committed with the campaign (the audit outbox)
        txn,
        user_id,
        "campaign.created",
        f"campaign/{campaign.campaign_id}",
        after=view(campaign),
        request_id=request_id,
    )
    try:
        txn.commit()
    except ConditionsFailed:
        raise CampaignOverlap("Another campaign was created at the same time; try again.") from None
    return campaign


def cancel(user_id: str, campaign_id: str, *, request_id: str | None = None) -> Campaign:
    """Cancel one of the caller's campaigns before it is frozen (``LEAD`` before its start): the campaign,
    its first 10-draw offer on the gacha and its audit entry in one transaction, serialised with creations
    by the partition's lock. Returns the campaign as it was."""
    from oshi import audit  # as in ``create``
    from oshi.catalogue import vtuber_queries
    from oshi.kernel.txn import ConditionsFailed, Txn

    vtuber = vtuber_queries.require_approved(user_id)
    now = clock.utc_now()
    existing = {c.campaign_id: c for c in Campaign.query(vtuber.vtuber_id, consistent_read=True)}
    campaign = existing.get(campaign_id) if campaign_id != LOCK else None
    if campaign is None or campaign.starts_at is None:
        raise CampaignNotFound()
    if not cancellable(campaign, now):
        raise CampaignFrozen(details={"starts_at": campaign.starts_at.isoformat()})
    txn = Txn()
    txn.delete("campaign", campaign, condition=Campaign.campaign_id.exists())
    _bump_lock(txn, vtuber.vtuber_id, existing.get(LOCK))
    if campaign.kind == FIRST_TEN and campaign.gacha_id is not None:
        gacha = Gacha.get(campaign.gacha_id, consistent_read=True)
        offers = [o for o in (gacha.first_ten or []) if o["campaign_id"] != campaign_id]
        # the lock serialises this list's writers; version + 1 as in ``create`` (a stale editor gets 409)
        txn.update(
            "gacha", Gacha(gacha.gacha_id), actions=[Gacha.first_ten.set(offers), Gacha.version.add(1)]
        )
    audit.add(
        txn,
        user_id,
        "campaign.cancelled",
        f"campaign/{campaign_id}",
        before=view(campaign, now),
        request_id=request_id,
        now=now,
    )
    try:
        txn.commit()
    except ConditionsFailed:
        raise CampaignOverlap("The campaigns changed at the same time; try again.") from None
    return campaign


def _bump_lock(txn: Txn, vtuber_id: str, lock: Campaign | None) -> None:
    """The partition's version counter, on the condition that it is unchanged since ``lock`` was read:
    two changes to one VTuber's campaigns (creations, cancellations) cannot both commit."""
    version = int(lock.version or 0) if lock is not None else 0
    txn.update(
        "lock",
        Campaign(vtuber_id, LOCK),
        actions=[Campaign.version.set(version + 1)],
        condition=Campaign.campaign_id.does_not_exist() if lock is None else Campaign.version == version,
    )


def view(c: Campaign, at: datetime | None = None) -> dict[str, Any]:
    at = at or clock.utc_now()
    assert c.starts_at is not None and c.ends_at is not None
    return {
        "campaign_id": c.campaign_id,
        "kind": c.kind,
        "title": c.title or "",
        "gacha_id": c.gacha_id,
        "multiplier": int(c.multiplier) if c.multiplier is not None else None,
        "price_ten": int(c.price_ten) if c.price_ten is not None else None,
        "starts_at": c.starts_at.isoformat(),
        "ends_at": c.ends_at.isoformat(),
        "active": c.starts_at <= at < c.ends_at,
        "cancellable": cancellable(c, at),
    }


def cancellable(c: Campaign, at: datetime) -> bool:
    """Until ``LEAD`` before its start (then it is frozen): the one rule ``cancel`` and the views share."""
    return c.starts_at is not None and at <= c.starts_at - LEAD


def for_gacha(gacha: Gacha, at: datetime) -> list[dict[str, Any]]:
    """The gacha's current and upcoming campaigns (its own and its VTuber's), for the gacha page."""
    return [
        view(c, at)
        for c in sorted(of_vtuber(gacha.vtuber_id), key=lambda c: (c.starts_at, c.campaign_id))
        if (c.gacha_id is None or c.gacha_id == gacha.gacha_id) and c.ends_at is not None and c.ends_at > at
    ]


def first_ten_offer(gacha: Gacha, at: datetime) -> dict[str, Any] | None:
    """The first 10-draw discount in force on the gacha at ``at`` (from the gacha item itself)."""
    for offer in gacha.first_ten or []:
        if datetime.fromisoformat(offer["starts_at"]) <= at < datetime.fromisoformat(offer["ends_at"]):
            return dict(offer)
    return None


def first_ten_key(fan_id: str, gacha_id: str) -> str:
    return f"first10#{fan_id}#{gacha_id}"


# --- the fulfilment's view: multipliers, cached for less than LEAD ---------------------------------------

_cache: dict[str, tuple[float, list[Campaign]]] = {}


def forget() -> None:
    _cache.clear()


def multiplier_at(vtuber_id: str, gacha_id: str, paid_at: datetime | None) -> tuple[int, str | None]:
    """The medal multiplier in force for the gacha when the order was paid: (1, None) without one."""
    if paid_at is None:
        return 1, None
    loaded = _cache.get(vtuber_id)
    if loaded is None or time.monotonic() - loaded[0] >= LEAD.total_seconds() / 2:
        loaded = (
            time.monotonic(),
            [c for c in of_vtuber(vtuber_id, consistent=True) if c.kind == MEDAL_MULTIPLIER],
        )
        _cache[vtuber_id] = loaded
    for c in loaded[1]:
        in_scope = c.gacha_id in (None, gacha_id) and c.starts_at is not None and c.ends_at is not None
        if in_scope and c.starts_at <= paid_at < c.ends_at:
            return int(c.multiplier or 1), c.campaign_id
    return 1, None
