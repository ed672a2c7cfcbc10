"""POST /api/gacha/purchase: reserve stock and spending, start the provider's checkout.

``Idempotency-Key`` (optional; the rule is ``oshi.kernel.idempotency``, checked by ``orders.purchase``):
a retried request returns the same order (200) instead of creating another (201). The per-caller limit
(``PURCHASE_LIMIT``, ``in_transaction``) is counted in the reservation's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gacha import bodies
from oshi.commerce import orders, payments
from oshi.kernel import snapstart
from oshi.kernel.txn import ConditionsFailed
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from gacha.purchase_schemas import PurchaseIn

endpoint = Endpoint(
    __name__,
    body_model="gacha.purchase_schemas:PurchaseIn",
    response_model="gacha.purchase_schemas:OrderOut",
)

snapstart.register("checkout", payments.prime_checkout)


@endpoint
def post_purchase(body: PurchaseIn) -> Response[JsonObject]:
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
    return Response(201 if created else 200, "application/json", bodies.order(order))


handler = endpoint.lambda_handler
