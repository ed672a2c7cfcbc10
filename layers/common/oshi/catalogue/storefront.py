"""The public catalogue: listings, the rate disclosure, VTuber profiles, and how long each may be cached.

Cache rule: a lineup is cacheable for LINEUP_TTL (1 h, the seed's TTL) but never past the next sale
boundary (start or end) of anything in the response, so no cache serves "upcoming" after a sale opened
or "on sale" after it closed; the boundaries are also where the lineup freezes, so a response fetched
after the start can no longer go stale by an edit. While a gacha with limited stock is on sale, the
remaining stock shown makes it STOCK_TTL (1 min). Profiles: PROFILE_TTL (24 h) under the same boundary
cap, since they list current gachas. Every response carries a strong ETag (SHA-256 of the body).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from pynamodb.exceptions import DoesNotExist

from oshi.catalogue import previews
from oshi.draw import rates
from oshi.kernel import batch, clock, cursors
from oshi.kernel.errors import GachaNotFound, PreviewNotFound, VtuberNotFound
from oshi.models.gachas import PUBLIC_LISTING, Gacha, GachaKind, GachaStatus, Prize
from oshi.models.vtubers import Vtuber, VtuberStatus

if TYPE_CHECKING:
    from oshi.models.exchange import ExchangeItem

LINEUP_TTL = 3600
PROFILE_TTL = 24 * 3600
STOCK_TTL = 60
MAX_PAGE = 50
DEFAULT_PAGE = 20
PROFILE_GACHAS = 50
VTUBER_LIST_TTL = 300  # a newly approved VTuber appears within 5 minutes
# A search or a sort reads the whole listed catalogue (one GSI partition) and pages in memory: exact
# results and exact cache lifetimes, at one query's cost while the catalogue is this small.
SEARCH_LIMIT = 1000
MAX_QUERY_CHARS = 100

STOCK_NOTE = (
    "When a limited prize runs out it is no longer drawn: its rate is removed and the rates of the "
    "remaining prizes grow in proportion (each prize's rate divided by the sum of the rates left)."
)

BOX_NOTE = (
    "This is a box (BOXガチャ): a fixed number of tickets drawn without replacement. The chance of each "
    "prize is its tickets left divided by all tickets left; the rates shown are those of the full box. "
    "Whoever draws the last ticket also receives the last-one prize (ラストワン賞)."
)


class CatalogueSort(StrEnum):
    ENDING_SOON = "ending_soon"  # open sales by end first, then upcoming by start, then ended
    STARTS_SOON = "starts_soon"  # upcoming by start first, then the rest, latest start first
    NEWEST = "newest"  # latest sale start first (the listing's own order)
    PRICE_ASC = "price_asc"  # single-draw price
    PRICE_DESC = "price_desc"


class SaleState(StrEnum):
    UPCOMING = "upcoming"
    ON_SALE = "on_sale"
    ENDED = "ended"
    SOLD_OUT = "sold_out"
    SUSPENDED = "suspended"


def sale_state(gacha: Gacha, vtuber_status: str | None, at: datetime) -> SaleState:
    if gacha.status == GachaStatus.SUSPENDED or (
        vtuber_status is not None and vtuber_status != VtuberStatus.APPROVED
    ):
        return SaleState.SUSPENDED
    if at < gacha.starts_at:
        return SaleState.UPCOMING
    if at >= gacha.ends_at:
        return SaleState.ENDED
    if gacha.total_stock is not None and int(gacha.sold_draws or 0) >= int(gacha.total_stock):
        return SaleState.SOLD_OUT
    return SaleState.ON_SALE


def is_on_sale(gacha: Gacha, vtuber_status: str | None, at: datetime) -> bool:
    """For the purchase service: published, inside the window, stock left, and its VTuber approved."""
    return gacha.status == GachaStatus.PUBLISHED and sale_state(gacha, vtuber_status, at) is SaleState.ON_SALE


def max_age(gachas: Iterable[Gacha], at: datetime, ttl: int, *, live_stock: bool = False) -> int:
    """``ttl`` capped at the seconds until the next sale boundary of any gacha (see the module doc);
    ``live_stock``: the response shows remaining stock, so STOCK_TTL while a sale is open."""
    seconds = ttl
    for gacha in gachas:
        for boundary in (gacha.starts_at, gacha.ends_at):
            if boundary > at:
                seconds = min(seconds, int((boundary - at).total_seconds()))
        if live_stock and gacha.starts_at <= at < gacha.ends_at:
            seconds = min(seconds, STOCK_TTL)
    return max(seconds, 0)


def cache_control(seconds: int) -> str:
    return f"public, max-age={seconds}" if seconds > 0 else "public, max-age=0, must-revalidate"


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# --- reads ----------------------------------------------------------------------------------------------


def public_gacha(gacha_id: str) -> Gacha:
    try:
        gacha = Gacha.get(gacha_id)
    except DoesNotExist:
        raise GachaNotFound() from None
    if gacha.status == GachaStatus.DRAFT or gacha.listing != PUBLIC_LISTING:
        raise GachaNotFound()  # drafts are not public
    return gacha


def vtuber_statuses(gachas: Sequence[Gacha]) -> dict[str, str]:
    """Owner user id -> VTuber status, for a page of gachas (one batch read)."""
    owners = {g.owner_user_id for g in gachas}
    return {v.user_id: v.status for v in batch.get_many(Vtuber, owners)} if owners else {}


_CATALOGUE_KEYS = ("gacha_id", "listing", "starts_at")
_BY_VTUBER_KEYS = ("gacha_id", "vtuber_id", "starts_at")


def list_public(
    *,
    vtuber_id: str | None = None,
    state: SaleState | None = None,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
    at: datetime | None = None,
) -> tuple[list[Gacha], str | None]:
    """One page of listed gachas, latest sale start first. ``state`` filters on the sale window
    (upcoming / on_sale / ended; suspended and sold-out gachas are filtered after the read)."""
    at = at or clock.utc_now()
    limit = max(1, min(limit, MAX_PAGE))
    condition: Any = None
    if state is SaleState.UPCOMING:
        condition = Gacha.starts_at > at
    elif state in (SaleState.ON_SALE, SaleState.SOLD_OUT):
        condition = (Gacha.starts_at <= at) & (Gacha.ends_at > at)
    elif state is SaleState.ENDED:
        condition = Gacha.ends_at <= at
    if vtuber_id is not None:
        start = cursors.decode(cursor, _BY_VTUBER_KEYS)
        listed = Gacha.listing == PUBLIC_LISTING
        results = Gacha.by_vtuber.query(
            vtuber_id,
            filter_condition=listed & condition if condition is not None else listed,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
        )
    else:
        start = cursors.decode(cursor, _CATALOGUE_KEYS)
        results = Gacha.in_catalogue.query(
            PUBLIC_LISTING,
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
        )
    gachas = list(results)
    return gachas, cursors.encode(results.last_evaluated_key)


def normalised(text: str) -> str:
    """What a search compares: NFKC (full-width Latin letters and half-width kana fold) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _sort_key(sort: CatalogueSort, at: datetime) -> Any:
    def newest(g: Gacha) -> tuple[float, str]:
        return (-g.starts_at.timestamp(), g.gacha_id)

    if sort is CatalogueSort.ENDING_SOON:
        return lambda g: (
            (0, g.ends_at.timestamp(), g.gacha_id)
            if g.starts_at <= at < g.ends_at
            else (1, g.starts_at.timestamp(), g.gacha_id)
            if at < g.starts_at
            else (2, -g.ends_at.timestamp(), g.gacha_id)
        )
    if sort is CatalogueSort.STARTS_SOON:
        return lambda g: (0, g.starts_at.timestamp(), g.gacha_id) if at < g.starts_at else (1, *newest(g))
    if sort is CatalogueSort.PRICE_ASC:
        return lambda g: (int(g.price_single), *newest(g))
    if sort is CatalogueSort.PRICE_DESC:
        return lambda g: (-int(g.price_single), *newest(g))
    return newest


class SearchPage(NamedTuple):
    gachas: list[Gacha]  # this page, in order
    owners: dict[str, Vtuber]  # owner user id -> VTuber, for the page's sale states
    next_cursor: str | None
    considered: list[Gacha]  # every gacha whose state can change the answer (for its cache lifetime)


def search_public(
    *,
    q: str | None = None,
    sort: CatalogueSort = CatalogueSort.NEWEST,
    vtuber_id: str | None = None,
    state: SaleState | None = None,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
    at: datetime | None = None,
) -> SearchPage:
    """A page of listed gachas matching ``q`` (a case-insensitive substring of the title or the VTuber's
    channel name) in the order ``sort`` asks, filtered by sale state. Reads the listing and pages in
    memory (``SEARCH_LIMIT``); the cursor is the offset of the next item."""
    at = at or clock.utc_now()
    limit = max(1, min(limit, MAX_PAGE))
    offset = cursors.decode_offset(cursor, SEARCH_LIMIT)
    if vtuber_id is not None:
        listed: Iterable[Gacha] = Gacha.by_vtuber.query(
            vtuber_id, filter_condition=Gacha.listing == PUBLIC_LISTING, scan_index_forward=False
        )
    else:
        listed = Gacha.in_catalogue.query(PUBLIC_LISTING, scan_index_forward=False)
    gachas = [g for _, g in zip(range(SEARCH_LIMIT), listed, strict=False)]
    owners = (
        {v.user_id: v for v in batch.get_many(Vtuber, {g.owner_user_id for g in gachas})} if gachas else {}
    )
    if q:
        needle = normalised(q)
        gachas = [
            g
            for g in gachas
            if needle in normalised(g.title)
            or (g.owner_user_id in owners and needle in normalised(owners[g.owner_user_id].channel_name))
        ]
    considered = (
        gachas  # the time-dependent filter and order below can change as any of these crosses a boundary
    )
    if state is not None:
        gachas = [
            g
            for g in gachas
            if sale_state(g, owners[g.owner_user_id].status if g.owner_user_id in owners else None, at)
            is state
        ]
    ordered = sorted(gachas, key=_sort_key(sort, at))
    page = ordered[offset : offset + limit]
    more = offset + limit < len(ordered)
    return SearchPage(page, owners, cursors.encode_offset(offset + limit) if more else None, considered)


_VTUBER_LIST_KEYS = ("user_id", "status", "applied_at")


def list_vtubers(*, limit: int = DEFAULT_PAGE, cursor: str | None = None) -> tuple[list[Vtuber], str | None]:
    """Approved VTubers, the most recently applied first."""
    limit = max(1, min(limit, MAX_PAGE))
    results = Vtuber.by_status.query(
        VtuberStatus.APPROVED.value,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=cursors.decode(cursor, _VTUBER_LIST_KEYS),
    )
    return list(results), cursors.encode(results.last_evaluated_key)


def prizes_of(gacha_id: str) -> list[Prize]:
    return sorted(Prize.query(gacha_id), key=lambda p: int(p.position))


def public_vtuber(vtuber_id: str) -> Vtuber:
    hit = next(iter(Vtuber.by_public_id.query(vtuber_id, limit=1)), None)
    if hit is None or hit.status not in (VtuberStatus.APPROVED, VtuberStatus.SUSPENDED):
        raise VtuberNotFound()  # applicants and rejected applicants have no public profile
    return hit


# --- the rate disclosure --------------------------------------------------------------------------------


class Disclosure(NamedTuple):
    document: dict[str, Any]
    limited: bool


def _rate(ppm: int) -> dict[str, Any]:
    return {"rate_ppm": ppm, "rate_percent": rates.percent(ppm)}


def _exact(value: Any, places: int = 2) -> dict[str, str]:
    return {"exact": rates.fraction_text(value), "rounded": rates.round_half_up(value, places)}


def rarest_prize_costs(
    entries: Sequence[rates.PrizeRate], min_rarity: str | None, price_single: int, price_ten: int
) -> dict[str, Any]:
    """Expected draws and yen until the rarest prize first appears, exact (fractions) and rounded.

    Singles: geometric, 1e6 / ppm draws. 10-draws: 1 / P(the prize is in one 10-draw), counting the
    guaranteed slot (``rates.p_hit_in_ten``). Assumes no limited prize runs out meanwhile.
    """
    target = rates.rarest(entries)
    singles = rates.expected_single_draws(target.ppm)
    tens = 1 / rates.p_hit_in_ten(entries, target.prize_id, min_rarity)
    return {
        "prize_id": target.prize_id,
        "rarity": target.rarity,
        **_rate(target.ppm),
        "single_draws": {
            "expected_draws": _exact(singles),
            "expected_yen": _exact(singles * price_single, 0),
        },
        "ten_draws": {
            "expected_ten_draws": _exact(tens),
            "expected_draws": _exact(tens * rates.GUARANTEE_BATCH),
            "expected_yen": _exact(tens * price_ten, 0),
        },
    }


def disclosure(
    gacha: Gacha,
    prizes: Sequence[Prize],
    vtuber_status: str | None,
    at: datetime,
    *,
    commitment: str | None = None,
) -> Disclosure:
    """The public gacha document with its rate disclosure, computed only from the stored rate table.
    ``commitment``: the server-seed commitment (read from the fairness table when not given)."""
    if commitment is None:
        from oshi.draw import fairness_store  # provably fair draws (issue 11, docs/fairness.md)

        record = fairness_store.seed_record(gacha.gacha_id)
        commitment = record.commitment if record is not None else None
    by_id = {p.prize_id: p for p in prizes}
    box_state = None
    if gacha.kind == GachaKind.BOX.value:
        from oshi.draw import fairness_store

        box_state = box_status(gacha, prizes, fairness_store.box_state(gacha.gacha_id, consistent=False))
        entries, min_rarity = rates.box_entries(gacha.rate_table), None
    else:
        entries, min_rarity = rates.entries_from_document(gacha.rate_table)
    limited = gacha.total_stock is not None or any(p.stock is not None for p in prizes)
    prize_rows = []
    for entry in entries:
        prize = by_id.get(entry.prize_id)
        prize_rows.append(
            {
                "prize_id": entry.prize_id,
                "name": prize.name if prize else entry.prize_id,
                "rarity": entry.rarity,
                **_rate(entry.ppm),
                "stock": (
                    {"total": int(prize.stock), "remaining": int(prize.remaining or 0)}
                    if prize is not None and prize.stock is not None
                    else None
                ),
                "preview": (
                    {
                        "kind": prize.preview_kind,
                        "url": previews.page_url(gacha.gacha_id, prize.prize_id),
                        "content_type": prize.preview_type,
                    }
                    if prize is not None and prize.preview_key
                    else None
                ),
            }
        )
    guarantee = None
    if min_rarity is not None:
        slot = rates.guaranteed_slot(entries, min_rarity)
        guarantee = {
            "batch_size": rates.GUARANTEE_BATCH,
            "min_rarity": min_rarity,
            "rule": (
                f"In a {rates.GUARANTEE_BATCH}-draw, if none of the first {rates.GUARANTEE_BATCH - 1} "
                f"prizes is {min_rarity} or better, the last one is drawn from the guaranteed-slot rates."
            ),
            "slot_rates": [
                {
                    "prize_id": e.prize_id,
                    "name": by_id[e.prize_id].name if e.prize_id in by_id else e.prize_id,
                    "rarity": e.rarity,
                    **_rate(e.ppm),
                }
                for e in slot
            ],
            "slot_rarity_totals": [{"rarity": r, **_rate(ppm)} for r, ppm in rates.rarity_totals(slot)],
            "rounding": "largest remainder: floor of the proportional ppm, leftover ppm to the largest remainders",
        }
    total_stock = gacha.total_stock
    document = {
        "gacha_id": gacha.gacha_id,
        "vtuber_id": gacha.vtuber_id,
        "title": gacha.title,
        "description": gacha.description,
        "status": gacha.status,
        "sale_state": sale_state(gacha, vtuber_status, at).value,
        "starts_at": gacha.starts_at.isoformat(),
        "ends_at": gacha.ends_at.isoformat(),
        "currency": "JPY",
        "price_single": int(gacha.price_single),
        "price_ten": int(gacha.price_ten),
        "medals_per_draw": int(gacha.medals_per_draw),
        "stock": (
            {"total": int(total_stock), "remaining": max(int(total_stock) - int(gacha.sold_draws or 0), 0)}
            if total_stock is not None
            else None
        ),
        "rate_table": {
            "version": int(gacha.rate_table_version),
            "hash": gacha.rate_table_hash,
            "ppm_total": rates.PPM_TOTAL,
        },
        "prizes": prize_rows,
        "rarity_totals": [{"rarity": r, **_rate(ppm)} for r, ppm in rates.rarity_totals(entries)],
        "guarantee": guarantee,
        "rarest_prize": (
            rarest_prize_costs(entries, min_rarity, int(gacha.price_single), int(gacha.price_ten))
            if box_state is None
            else None
        ),
        "notes": ([STOCK_NOTE] if any(p.stock is not None for p in prizes) else [])
        + ([BOX_NOTE] if box_state is not None else []),
        "fairness": {
            "commitment": commitment,  # SHA-256 of the server seed, revealed after ends_at
            "rate_table_hash": gacha.rate_table_hash,
            "details": f"/api/gachas/{gacha.gacha_id}/fairness",
        },
        "kind": gacha.kind or GachaKind.RATE.value,
        "box": box_state,
        "ceiling": ceiling_disclosure(gacha),
        "campaigns": [],  # the public page adds the gacha's campaigns (oshi.catalogue.campaigns.for_gacha)
    }
    return Disclosure(document, limited or box_state is not None)


def ceiling_disclosure(gacha: Gacha) -> dict[str, Any] | None:
    rule = rates.ceiling_of(gacha.rate_table) if gacha.kind != GachaKind.BOX.value else None
    if rule is None:
        return None
    draws, rarity = rule
    return {
        "draws": draws,
        "rarity": rarity,
        "rule": (
            f"天井: if a fan's {draws - 1} draws in a row on this gacha bring no {rarity} prize, their "
            f"{draws}th is drawn among the {rarity} prizes only (each in proportion to its rate). The count "
            f"restarts after every {rarity} prize; GET /api/gachas/{gacha.gacha_id}/me shows yours."
        ),
        "counter": f"/api/gachas/{gacha.gacha_id}/me",
    }


def box_status(gacha: Gacha, prizes: Sequence[Prize], state: Any) -> dict[str, Any]:
    """The box's live state: tickets left per prize and in total, and whether the last-one prize went."""
    document = gacha.rate_table
    by_id = {p.prize_id: p for p in prizes}
    left = {k: int(v) for k, v in ((state.box_remaining if state is not None else None) or {}).items()}
    rows = []
    for t in document["tickets"]:
        remaining = left.get(t["prize_id"], int(t["count"])) if state is not None else int(t["count"])
        prize = by_id.get(t["prize_id"])
        rows.append(
            {
                "prize_id": t["prize_id"],
                "name": prize.name if prize else t["prize_id"],
                "rarity": t["rarity"],
                "tickets": int(t["count"]),
                "remaining": remaining,
            }
        )
    total = sum(r["tickets"] for r in rows)
    remaining_total = sum(r["remaining"] for r in rows)
    last = document.get("last_one")
    last_prize = by_id.get(last["prize_id"]) if last else None
    return {
        "total": total,
        "remaining": remaining_total,
        "reserved": max(int(gacha.sold_draws or 0) - (total - remaining_total), 0),
        "prizes": rows,
        "last_one": (
            {
                "prize_id": last["prize_id"],
                "name": last_prize.name if last_prize else last["prize_id"],
                "rarity": last["rarity"],
                "awarded": bool(state is not None and state.last_one_order_id),
            }
            if last
            else None
        ),
        "live": f"/api/gachas/{gacha.gacha_id}/box",
    }


def summary(gacha: Gacha, vtuber_status: str | None, at: datetime) -> dict[str, Any]:
    return {
        "gacha_id": gacha.gacha_id,
        "vtuber_id": gacha.vtuber_id,
        "title": gacha.title,
        "status": gacha.status,
        "sale_state": sale_state(gacha, vtuber_status, at).value,
        "starts_at": gacha.starts_at.isoformat(),
        "ends_at": gacha.ends_at.isoformat(),
        "price_single": int(gacha.price_single),
        "price_ten": int(gacha.price_ten),
        "guarantee_min_rarity": gacha.guarantee_min_rarity,
        "rate_table_hash": gacha.rate_table_hash,
        "kind": gacha.kind or GachaKind.RATE.value,
        "ceiling": int(gacha.ceiling) if gacha.ceiling is not None else None,
    }


def exchange_item_summary(item: ExchangeItem) -> dict[str, Any]:
    """An exchange item as a public profile shows it (``ProfileExchangeItem``)."""
    return {
        "item_id": item.item_id,
        "name": item.name,
        "cost": int(item.cost),
        "per_user_limit": int(item.per_user_limit),
        "remaining": None if item.remaining is None else int(item.remaining),
        "starts_at": item.starts_at.isoformat(),
        "ends_at": item.ends_at.isoformat(),
    }


def prize_preview(gacha_id: str, prize_id: str) -> previews.Preview:
    """A listed gacha's prize preview (the same visibility as the gacha's page)."""
    public_gacha(gacha_id)
    try:
        prize = Prize.get(gacha_id, prize_id)
    except DoesNotExist:
        raise PreviewNotFound() from None
    if not prize.preview_key:
        raise PreviewNotFound()
    return previews.Preview(str(prize.preview_kind), str(prize.preview_type), prize.preview_key)
