"""GET /api/vtuber/gachas: the caller's own gachas, drafts included, latest sale start first."""

from __future__ import annotations

from oshi.catalogue import lineup_queries, stock
from oshi.kernel import clock
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import gacha_bodies

endpoint = Endpoint(__name__, response_model="vtuber.schemas:OwnGachaList")


@endpoint
def get_own_gachas() -> JsonObject:
    at = clock.utc_now()
    gachas = lineup_queries.list_own(endpoint.caller().user_id)
    stock.fill_sums(gachas)  # sharded gachas: their shards' (cached) sum, for the sale state
    return {"items": [gacha_bodies.own_gacha_summary(g, at) for g in gachas]}


handler = endpoint.lambda_handler
