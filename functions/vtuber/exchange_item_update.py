"""PUT /api/vtuber/exchange-items/{item_id}: new terms for an item before its sale starts.

Checked like creation (field errors, complete-gacha terms refused); 409 ``EXCHANGE_ITEM_FROZEN`` once the
sale has started, after a withdrawal, or when ``version`` is stale. The version bump refuses any trade
priced on the old terms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.kernel import clock
from oshi.rewards import exchange
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import exchange_bodies

if TYPE_CHECKING:
    from vtuber.exchange_schemas import ItemUpdateIn

endpoint = Endpoint(
    __name__,
    body_model="vtuber.exchange_schemas:ItemUpdateIn",
    response_model="vtuber.exchange_schemas:OwnItemOut",
)


@endpoint
def put_exchange_item(item_id: str, body: ItemUpdateIn) -> JsonObject:
    item = exchange.update_item(
        endpoint.caller().user_id,
        item_id,
        exchange_bodies.item_spec(body),
        version=body.version,
        raw=endpoint.request.json_body,  # unknown keys are screened for complete-gacha terms
        request_id=endpoint.request_id,
    )
    return exchange_bodies.own_item(item, clock.utc_now())


handler = endpoint.lambda_handler
