"""POST /api/vtuber/exchange-items: an approved VTuber adds an item to their exchange shop.

The granted asset must be one of theirs and validated; the window, cost, limit and stock are checked
with field errors, and complete-gacha terms are refused as for gachas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.rewards import exchange
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response
from vtuber import exchange_bodies

if TYPE_CHECKING:
    from vtuber.exchange_schemas import ItemCreateIn

endpoint = Endpoint(
    __name__,
    body_model="vtuber.exchange_schemas:ItemCreateIn",
    response_model="vtuber.exchange_schemas:ItemCreatedOut",
)


@endpoint
def post_exchange_item(body: ItemCreateIn) -> Response[JsonObject]:
    item = exchange.create_item(
        endpoint.caller().user_id,
        exchange_bodies.item_spec(body),
        raw=endpoint.request.json_body,  # unknown keys are screened for complete-gacha terms
        request_id=endpoint.request_id,
    )
    return Response(201, "application/json", exchange_bodies.created_item(item))


handler = endpoint.lambda_handler
