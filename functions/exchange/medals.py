"""GET /api/medals: the caller's medal balance per VTuber, with totals earned and spent."""

from __future__ import annotations

from exchange import bodies
from oshi.rewards import queries
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

endpoint = Endpoint(__name__, response_model="exchange.schemas:BalancesOut")


@endpoint
def get_medals() -> Response[JsonObject]:
    out = bodies.balances(queries.balances(endpoint.caller().user_id))
    # balances are read consistently and change with every draw and trade: never served from a cache
    return Response(200, "application/json", out, headers={"Cache-Control": "private, no-cache"})


handler = endpoint.lambda_handler
