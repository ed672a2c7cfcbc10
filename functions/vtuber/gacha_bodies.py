"""The VTuber's own gachas in JSON form, without pydantic (``vtuber.schemas.OwnGacha`` and
``OwnGachaSummary`` document them; the editor's write routes send the same dicts), and the ``GachaSpec``
of a checked editor body."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from oshi.catalogue import lineup, stock, storefront
from oshi.kernel import clock
from oshi.models.gachas import Gacha, Prize
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from vtuber.schemas import GachaIn, PrizeIn


def own_gacha(gacha: Gacha, prizes: Sequence[Prize]) -> JsonObject:
    """``vtuber.schemas.OwnGacha``: exactly what the catalogue will disclose, plus editing state and assets."""
    at = clock.utc_now()
    stock.fill_sums([gacha])  # a sharded gacha's reserved draws, for the remaining stock shown
    document = storefront.disclosure(gacha, prizes, None, at).document
    assets = {p.prize_id: list(p.asset_ids) for p in prizes}
    previews = {p.prize_id: p.preview_asset_id for p in prizes}
    last = next((p for p in prizes if p.last_one), None)
    return {
        **document,
        "prizes": [
            {
                **row,
                "asset_ids": assets.get(row["prize_id"], []),
                "preview_asset_id": previews.get(row["prize_id"]),
            }
            for row in document["prizes"]
        ],
        "version": int(gacha.version),
        "editable": lineup.editable(gacha, at),
        "total_stock": int(gacha.total_stock) if gacha.total_stock is not None else None,
        "stock_shards": stock.shard_count(gacha),
        "last_one": (
            {
                "name": last.name,
                "rarity": last.rarity,
                "asset_ids": list(last.asset_ids),
                "preview_asset_id": last.preview_asset_id,
            }
            if last is not None
            else None
        ),
    }


def own_gacha_summary(gacha: Gacha, at: datetime) -> JsonObject:
    """``vtuber.schemas.OwnGachaSummary``: the catalogue's summary with the editing state."""
    return {
        **storefront.summary(gacha, None, at),
        "version": int(gacha.version),
        "editable": lineup.editable(gacha, at),
    }


def gacha_spec(body: GachaIn) -> lineup.GachaSpec:
    """The gacha an editor body (create, preview, update) defines: a checked body or the model alike
    (attributes only; ``oshi.web.light_bodies``)."""
    return lineup.GachaSpec(
        title=body.title,
        description=body.description,
        price_single=body.price_single,
        price_ten=body.price_ten,
        medals_per_draw=body.medals_per_draw,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        total_stock=body.total_stock,
        guarantee_min_rarity=body.guarantee.min_rarity if body.guarantee else None,
        prizes=tuple(_prize_spec(p) for p in body.prizes),
        kind=body.kind,
        ceiling=body.ceiling,
        last_one=_prize_spec(body.last_one) if body.last_one is not None else None,
        stock_shards=body.stock_shards,
    )


def _prize_spec(p: PrizeIn) -> lineup.PrizeSpec:
    return lineup.PrizeSpec(
        p.name, p.rarity, p.rate_ppm, tuple(p.asset_ids), p.stock, p.preview_asset_id, p.tickets
    )
