"""POST /api/exchange/trade: medals for an item, in one DynamoDB transaction (see oshi.rewards.exchange).

201 with the exchange on success; a retry with the same Idempotency-Key gets 200 and the same exchange.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from exchange import bodies
from oshi.rewards import exchange
from oshi.web.api import Endpoint
from oshi.web.params import Header
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from exchange.schemas import TradeIn

endpoint = Endpoint(
    __name__, body_model="exchange.schemas:TradeIn", response_model="exchange.schemas:TradeOut"
)


@endpoint
def post_trade(
    body: TradeIn,
    idempotency_key: Annotated[
        str | None, Header(description="New for each trade; a retry with the same key never trades twice")
    ] = None,
) -> Response[JsonObject]:
    # checked by the logic (oshi.kernel.idempotency: 400 IDEMPOTENCY_KEY_REQUIRED), declared here so
    # OpenAPI documents it
    result = exchange.trade(endpoint.caller().user_id, body.item_id, body.quantity, idempotency_key or "")
    headers = {"Cache-Control": "no-store"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        200 if result.replayed else 201,
        "application/json",
        bodies.trade(result.exchange, result.replayed),
        headers=headers,
    )


handler = endpoint.lambda_handler
