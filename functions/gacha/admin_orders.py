"""GET /api/admin/orders: an order by its id, or a fan's orders by their user id (admin console lookup).

Exactly one of ``order_id`` and ``fan_id``; the fan's orders page newest first like the fan's history. An
admin sees status, payment and results, then retries or refunds with the routes beside this one.
"""

from __future__ import annotations

from typing import Annotated

from gacha import bodies
from oshi.commerce import order_queries
from oshi.kernel.errors import BadRequest
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.purchase_schemas:OrderPage")
ID = r"^[0-9A-Za-z_-]{1,64}$"


@endpoint
def get_admin_orders(
    order_id: Annotated[str | None, Query(pattern=ID)] = None,
    fan_id: Annotated[str | None, Query(pattern=ID)] = None,
    limit: Annotated[int, Query(ge=1, le=order_queries.MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> JsonObject:
    if (order_id is None) == (fan_id is None):
        raise BadRequest("Give exactly one of order_id and fan_id.")
    if order_id is not None:
        return bodies.order_page([order_queries.get(order_id)], with_results=True)
    assert fan_id is not None
    page, next_cursor = order_queries.list_for_fan(fan_id, limit=limit, cursor=cursor)
    return bodies.order_page(page, next_cursor)


handler = endpoint.lambda_handler
