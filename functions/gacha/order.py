"""GET /api/gacha/orders/{order_id}: one of the caller's orders; anyone else's is a 404."""

from __future__ import annotations

from gacha import bodies
from oshi.commerce import order_queries
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.purchase_schemas:OrderOut")


@endpoint
def get_order(order_id: str) -> JsonObject:
    return bodies.order(order_queries.get_for_fan(endpoint.caller().user_id, order_id), with_results=True)


handler = endpoint.lambda_handler
