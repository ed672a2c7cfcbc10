"""GET /api/exchange/items?vtuber_id=...: a VTuber's items on sale (or upcoming) with the caller's counts.

Cached privately for the seed's 5 minutes (never across a sale boundary); a trade never reads it.
"""

from __future__ import annotations

from typing import Annotated

from exchange.bodies import ID
from oshi.rewards import shop
from oshi.web import bodies
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject, Response

endpoint = Endpoint(__name__, response_model="exchange.schemas:ItemsOut")


@endpoint
def get_items(vtuber_id: Annotated[str, Query(pattern=ID)]) -> Response[JsonObject]:
    views, max_age = shop.list_items(endpoint.caller().user_id, vtuber_id)
    out = {
        "vtuber_id": vtuber_id,
        "items": [bodies.exchange_item(v.item, v.your_count, v.state) for v in views],
    }
    return Response(200, "application/json", out, headers={"Cache-Control": shop.cache_control(max_age)})


handler = endpoint.lambda_handler
