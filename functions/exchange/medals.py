"""GET /api/medals: the caller's medal balance per VTuber, with totals earned and spent."""

from __future__ import annotations

from exchange.schemas import BalanceOut, BalancesOut
from oshi.rewards import queries
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


@endpoint
def get_medals() -> Response[BalancesOut]:
    items = [BalanceOut.of(b) for b in queries.balances(endpoint.caller().user_id)]
    out = BalancesOut(
        items=items,
        total_balance=sum(i.balance for i in items),
        total_earned=sum(i.earned for i in items),
        total_spent=sum(i.spent for i in items),
    )
    # balances are read consistently and change with every draw and trade: never served from a cache
    return Response(200, "application/json", out, headers={"Cache-Control": "private, no-cache"})


handler = endpoint.lambda_handler
