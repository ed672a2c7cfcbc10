"""POST /api/gacha/purchase: reserve stock and spending, start the provider's checkout.

``Idempotency-Key`` (optional; the rule is ``oshi.kernel.idempotency``, checked by ``orders.purchase``):
a retried request returns the same order (200) instead of creating another (201).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from gacha.purchase_schemas import OrderOut, PurchaseIn
from oshi.commerce import orders
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def post_purchase(body: PurchaseIn) -> Response[OrderOut]:
    order, created = orders.purchase(
        orders.PurchaseRequest(
            fan_id=endpoint.caller().user_id,
            gacha_id=body.gacha_id,
            count=body.count,
            provider=body.provider,
            payment_method=body.payment_method,
            idempotency_key=endpoint.header("Idempotency-Key"),
            request_id=endpoint.request_id,
            client_seed=body.client_seed,
        )
    )
    return Response(
        status_code=201 if created else 200, content_type="application/json", body=OrderOut.of(order)
    )


handler = endpoint.lambda_handler
