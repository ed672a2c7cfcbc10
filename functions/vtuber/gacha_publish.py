"""POST /api/vtuber/gacha/{gacha_id}/publish: list a draft in the catalogue (before its sale starts)."""

from __future__ import annotations

from oshi.catalogue import lineup, lineup_queries
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import gacha_bodies

endpoint = Endpoint(__name__, response_model="vtuber.schemas:OwnGacha")


@endpoint
def post_publish(gacha_id: str) -> JsonObject:
    gacha = lineup.publish_gacha(endpoint.caller().user_id, gacha_id, request_id=endpoint.request_id)
    return gacha_bodies.own_gacha(gacha, lineup_queries.prizes_of(gacha_id, consistent=True))


handler = endpoint.lambda_handler
