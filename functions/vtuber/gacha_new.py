"""GET /api/vtuber/gacha/new: what the creation form needs (validated assets, limits, defaults)."""

from __future__ import annotations

from oshi.catalogue import asset_queries, lineup_queries, vtuber_queries
from oshi.draw import rates
from oshi.models.assets import AssetStatus
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import bodies

endpoint = Endpoint(__name__, response_model="vtuber.schemas:GachaForm")


@endpoint
def get_gacha_form() -> JsonObject:
    user_id = endpoint.caller().user_id
    vtuber_queries.require_approved(user_id)
    assets = asset_queries.list_assets(user_id, status=AssetStatus.VALIDATED)
    return {
        "assets": [bodies.asset(a) for a in assets],
        "rarities": list(rates.RARITY_ORDER),
        "defaults": {"medals_per_draw": 1, "guarantee": None, "publish": False},
        "limits": {
            "ppm_total": rates.PPM_TOTAL,
            "min_rate_ppm": rates.MIN_PRIZE_PPM,
            "max_prizes": rates.MAX_PRIZES,
            "max_assets_per_prize": lineup_queries.MAX_ASSETS_PER_PRIZE,
            "max_linked_assets": lineup_queries.MAX_LINKED_ASSETS,
            "price_single": {"min": lineup_queries.PRICE_SINGLE_MIN, "max": lineup_queries.PRICE_SINGLE_MAX},
            "price_ten": {"min": lineup_queries.PRICE_TEN_MIN, "max": lineup_queries.PRICE_TEN_MAX},
            "max_medals_per_draw": lineup_queries.MAX_MEDALS_PER_DRAW,
            "max_sale_days": lineup_queries.MAX_SALE_DAYS,
            "guarantee_batch": rates.GUARANTEE_BATCH,
            "currency": "JPY",
        },
    }


handler = endpoint.lambda_handler
