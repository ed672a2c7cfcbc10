"""PUT /api/vtuber/exchange-items/{item_id}: new terms for an item before its sale starts.

Checked like creation (field errors, complete-gacha terms refused); 409 ``EXCHANGE_ITEM_FROZEN`` once the
sale has started, after a withdrawal, or when ``version`` is stale. The version bump refuses any trade
priced on the old terms.
"""

from __future__ import annotations

from oshi.kernel import clock
from oshi.rewards import exchange
from oshi.web.api import Endpoint
from vtuber import exchange_bodies
from vtuber.exchange_schemas import ItemUpdateIn, OwnItemOut

endpoint = Endpoint(__name__)


@endpoint
def put_exchange_item(item_id: str, body: ItemUpdateIn) -> OwnItemOut:
    item = exchange.update_item(
        endpoint.caller().user_id,
        item_id,
        body.spec(),
        version=body.version,
        raw=endpoint.request.json_body,
        request_id=endpoint.request_id,
    )
    return OwnItemOut.model_validate(exchange_bodies.own_item(item, clock.utc_now()))


handler = endpoint.lambda_handler
