"""GET /api/gacha/orders: the caller's purchase history, newest first."""

from __future__ import annotations

from typing import Annotated

from gacha import bodies
from oshi.commerce import order_queries
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.purchase_schemas:OrderPage")


@endpoint
def get_orders(
    limit: Annotated[int, Query(ge=1, le=order_queries.MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> JsonObject:
    page, next_cursor = order_queries.list_for_fan(endpoint.caller().user_id, limit=limit, cursor=cursor)
    return bodies.order_page(page, next_cursor)


handler = endpoint.lambda_handler
