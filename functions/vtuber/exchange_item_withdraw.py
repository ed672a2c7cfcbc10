"""POST /api/vtuber/exchange-items/{item_id}/withdraw: take an item off sale before its sale starts."""

from __future__ import annotations

from oshi.kernel import clock
from oshi.rewards import exchange
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import exchange_bodies

endpoint = Endpoint(__name__, response_model="vtuber.exchange_schemas:OwnItemOut")


@endpoint
def post_withdraw(item_id: str) -> JsonObject:
    item = exchange.withdraw_item(endpoint.caller().user_id, item_id, request_id=endpoint.request_id)
    return exchange_bodies.own_item(item, clock.utc_now())


handler = endpoint.lambda_handler
