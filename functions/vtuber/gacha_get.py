"""GET /api/vtuber/gacha/{gacha_id}: one of the caller's own gachas with its lineup (the editor loads it)."""

from __future__ import annotations

from oshi.catalogue import lineup_queries, vtuber_queries
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import gacha_bodies

endpoint = Endpoint(__name__, response_model="vtuber.schemas:OwnGacha")


@endpoint
def get_gacha(gacha_id: str) -> JsonObject:
    vtuber = vtuber_queries.require_approved(endpoint.caller().user_id)
    gacha = lineup_queries.own_gacha(vtuber, gacha_id)
    return gacha_bodies.own_gacha(gacha, lineup_queries.prizes_of(gacha_id, consistent=True))


handler = endpoint.lambda_handler
