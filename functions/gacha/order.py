"""GET /api/gacha/orders/{order_id}: one of the caller's orders; anyone else's is a 404."""

from __future__ import annotations

from gacha.purchase_schemas import OrderOut
from oshi.commerce import orders
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def get_order(order_id: str) -> OrderOut:
    return OrderOut.of(orders.get_for_fan(endpoint.caller().user_id, order_id), with_results=True)


handler = endpoint.lambda_handler
