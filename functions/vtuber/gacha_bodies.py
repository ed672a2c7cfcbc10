"""The VTuber's own gachas in JSON form, without pydantic (``vtuber.schemas.OwnGacha`` and
``OwnGachaSummary`` document them; the editor's write routes send the same dicts). The editor's own
modules (``oshi.catalogue.lineup``) are not loaded here: the console's gacha views only read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from oshi.catalogue import lineup_queries, stock, storefront
from oshi.kernel import clock
from oshi.models.gachas import Gacha, Prize
from oshi.web.response import JsonObject


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
        "editable": lineup_queries.editable(gacha, at),
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
        "editable": lineup_queries.editable(gacha, at),
    }
