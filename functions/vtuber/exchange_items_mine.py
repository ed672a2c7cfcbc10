"""GET /api/vtuber/exchange-items: the caller's own exchange items (withdrawn ones included)."""

from __future__ import annotations

from oshi.kernel import clock
from oshi.rewards import exchange
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import exchange_bodies

endpoint = Endpoint(__name__, response_model="vtuber.exchange_schemas:OwnItemList")


@endpoint
def get_exchange_items() -> JsonObject:
    now = clock.utc_now()
    items = exchange.own_items(endpoint.caller().user_id)
    return {"items": [exchange_bodies.own_item(i, now) for i in items]}


handler = endpoint.lambda_handler
