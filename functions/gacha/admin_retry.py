"""POST /api/admin/orders/{order_id}/retry (admin, MFA): fulfil a paid order now (after its message went
to the DLQ); the rule lives in ``oshi.fulfilment.retry`` (the consumer's exactly-once path, audited)."""

from __future__ import annotations

from gacha import bodies
from oshi.fulfilment import retry
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.schemas:RetryOut")


@endpoint
def post_retry(order_id: str) -> JsonObject:
    result = retry.retry(order_id, actor=endpoint.caller().user_id, request_id=endpoint.request_id)
    return bodies.retried_order(result)


handler = endpoint.lambda_handler
