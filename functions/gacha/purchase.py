"""POST /api/gacha/purchase: reserve stock and spending, start the provider's checkout.

``Idempotency-Key`` (optional; the rule is ``oshi.kernel.idempotency``, checked by ``orders.purchase``):
a retried request returns the same order (200) instead of creating another (201). The per-caller limit
(``PURCHASE_LIMIT``, ``in_transaction``) is counted in the reservation's transaction.
"""

from __future__ import annotations

from gacha import bodies
from gacha.purchase_schemas import OrderOut, PurchaseIn
from oshi.commerce import orders
from oshi.kernel.txn import ConditionsFailed
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


@endpoint
def post_purchase(body: PurchaseIn) -> Response[OrderOut]:
    request = orders.PurchaseRequest(
        fan_id=endpoint.caller().user_id,
        gacha_id=body.gacha_id,
        count=body.count,
        provider=body.provider,
        payment_method=body.payment_method,
        idempotency_key=endpoint.header("Idempotency-Key"),
        request_id=endpoint.request_id,
        client_seed=body.client_seed,
    )
    try:
        # The caller's rate limit is counted in the reservation's transaction (no round trip of its own).
        order, created = orders.purchase(request, also_write=endpoint.count_in)
    except ConditionsFailed as failed:
        endpoint.refuse_if_limited(failed)
        raise
    out = OrderOut.model_validate(bodies.order(order))
    return Response(status_code=201 if created else 200, content_type="application/json", body=out)


handler = endpoint.lambda_handler
