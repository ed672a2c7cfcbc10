"""GET /api/vtuber/exchange-items: the caller's own exchange items (withdrawn ones included)."""

from __future__ import annotations

from oshi.kernel import clock
from oshi.rewards import exchange
from oshi.web.api import Endpoint
from vtuber.exchange_schemas import OwnItemList, OwnItemOut

endpoint = Endpoint(__name__)


@endpoint
def get_exchange_items() -> OwnItemList:
    now = clock.utc_now()
    return OwnItemList(items=[OwnItemOut.own(i, now) for i in exchange.own_items(endpoint.caller().user_id)])


handler = endpoint.lambda_handler
