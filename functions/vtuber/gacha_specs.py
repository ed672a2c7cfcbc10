"""The ``GachaSpec`` an editor body (create, preview, update) defines, for ``oshi.catalogue.lineup``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue.lineup import GachaSpec, PrizeSpec

if TYPE_CHECKING:
    from vtuber.schemas import GachaIn, PrizeIn


def gacha_spec(body: GachaIn) -> GachaSpec:
    """The gacha an editor body (create, preview, update) defines: a checked body or the model alike
    (attributes only; ``oshi.web.light_bodies``)."""
    return GachaSpec(
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


def _prize_spec(p: PrizeIn) -> PrizeSpec:
    return PrizeSpec(p.name, p.rarity, p.rate_ppm, tuple(p.asset_ids), p.stock, p.preview_asset_id, p.tickets)
