"""GET /api/gacha/orders: the caller's purchase history, newest first."""

from __future__ import annotations

from typing import Annotated

from gacha.purchase_schemas import OrderOut, OrderPage
from oshi.commerce import orders
from oshi.web.api import Endpoint
from oshi.web.params import Query

endpoint = Endpoint(__name__)


@endpoint
def get_orders(
    limit: Annotated[int, Query(ge=1, le=orders.MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> OrderPage:
    page, next_cursor = orders.list_for_fan(endpoint.caller().user_id, limit=limit, cursor=cursor)
    return OrderPage(items=[OrderOut.of(o) for o in page], next_cursor=next_cursor)


handler = endpoint.lambda_handler
