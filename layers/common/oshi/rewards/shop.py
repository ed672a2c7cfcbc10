"""The exchange shop's list: a VTuber's items on offer, each one's sale state, and how long a list may be
cached. Reads only, apart from ``oshi.rewards.exchange`` (the trade and the VTuber's edits), so the fan's
list and the public profile load none of the trade's modules at cold start (docs/performance.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oshi.kernel import batch, clock
from oshi.kernel.errors import VtuberNotFound
from oshi.models.exchange import ExchangeCount, ExchangeItem, ExchangeItemStatus
from oshi.models.vtubers import Vtuber, VtuberStatus

EXCHANGE_ITEMS_TTL = 300  # the seed's 5-minute cache of the item list


@dataclass(frozen=True)
class ItemView:
    item: ExchangeItem
    your_count: int
    state: str  # upcoming | on_sale | sold_out | suspended


def item_state(item: ExchangeItem, vtuber_status: str, at: datetime) -> str:
    if vtuber_status != VtuberStatus.APPROVED or item.status != ExchangeItemStatus.ACTIVE:
        return "suspended"
    if at < item.starts_at:
        return "upcoming"
    if at >= item.ends_at:
        return "ended"
    if item.remaining is not None and int(item.remaining) <= 0:
        return "sold_out"
    return "on_sale"


def items_on_offer(vtuber_id: str, at: datetime) -> list[ExchangeItem]:
    """A VTuber's active items whose sale has not ended (on sale, upcoming or sold out), soonest first.
    Also what a public profile can show (the caller's counts aside)."""
    items = [
        item
        for item in ExchangeItem.by_vtuber.query(vtuber_id)
        if item.status == ExchangeItemStatus.ACTIVE and item.ends_at > at
    ]
    return sorted(items, key=lambda i: (i.starts_at, i.item_id))


def max_age(items: list[ExchangeItem], at: datetime) -> int:
    """EXCHANGE_ITEMS_TTL, capped so that no cached list outlives a sale boundary."""
    seconds = EXCHANGE_ITEMS_TTL
    for item in items:
        for boundary in (item.starts_at, item.ends_at):
            if boundary > at:
                seconds = min(seconds, int((boundary - at).total_seconds()))
    return max(seconds, 0)


def list_items(fan_id: str, vtuber_id: str) -> tuple[list[ItemView], int]:
    """Items on sale or upcoming for one VTuber with the caller's counts, and how long to cache them."""
    now = clock.utc_now()
    hit = next(iter(Vtuber.by_public_id.query(vtuber_id, limit=1)), None)
    if hit is None or hit.status not in (VtuberStatus.APPROVED, VtuberStatus.SUSPENDED):
        raise VtuberNotFound()
    items = items_on_offer(vtuber_id, now)
    counts: dict[str, int] = {}
    if items:
        counts = {
            c.item_id: int(c.units or 0)
            for c in batch.get_many(ExchangeCount, [(fan_id, item.item_id) for item in items])
        }
    views = [ItemView(item, counts.get(item.item_id, 0), item_state(item, hit.status, now)) for item in items]
    return views, max_age(items, now)


def cache_control(max_age: int) -> str:
    # private: the response carries the caller's own counts
    return f"private, max-age={max_age}" if max_age > 0 else "private, no-cache"
