"""POST /api/vtuber/exchange-items: an approved VTuber adds an item to their exchange shop.

The granted asset must be one of theirs and validated; the window, cost, limit and stock are checked
with field errors, and complete-gacha terms are refused as for gachas.
"""

from __future__ import annotations

from oshi.rewards import exchange
from oshi.web.api import Endpoint
from oshi.web.response import Response
from vtuber import exchange_bodies
from vtuber.exchange_schemas import ItemCreatedOut, ItemCreateIn

endpoint = Endpoint(__name__)


@endpoint
def post_exchange_item(body: ItemCreateIn) -> Response[ItemCreatedOut]:
    item = exchange.create_item(
        endpoint.caller().user_id,
        body.spec(),
        raw=endpoint.request.json_body,
        request_id=endpoint.request_id,
    )
    return Response(
        status_code=201,
        content_type="application/json",
        body=ItemCreatedOut.model_validate(exchange_bodies.created_item(item)),
    )


handler = endpoint.lambda_handler
