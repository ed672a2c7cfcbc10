"""POST /api/gacha/purchase: reserve stock and spending, start the provider's checkout.

``Idempotency-Key`` (optional, up to 100 printable ASCII characters): a retried request returns the
same order (200) instead of creating another (201).
"""

from __future__ import annotations

import re

from aws_lambda_powertools.event_handler import Response

from gacha.purchase_schemas import OrderOut, PurchaseIn
from oshi.commerce import orders
from oshi.kernel.errors import ValidationFailed
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")


@endpoint
def post_purchase(body: PurchaseIn) -> Response[OrderOut]:
    key = endpoint.header("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            details=[{"field": "Idempotency-Key", "message": "1-100 printable ASCII characters"}]
        )
    order, created = orders.purchase(
        orders.PurchaseRequest(
            fan_id=endpoint.caller().user_id,
            gacha_id=body.gacha_id,
            count=body.count,
            provider=body.provider,
            payment_method=body.payment_method,
            idempotency_key=key,
            request_id=endpoint.request_id,
            client_seed=body.client_seed,
        )
    )
    return Response(
        status_code=201 if created else 200, content_type="application/json", body=OrderOut.of(order)
    )


handler = endpoint.lambda_handler
