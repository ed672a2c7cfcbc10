"""POST /api/admin/orders/{order_id}/retry (admin, MFA): fulfil a paid order now (after its message went
to the DLQ); the rule lives in ``oshi.fulfilment.retry`` (the consumer's exactly-once path, audited)."""

from __future__ import annotations

from pydantic import BaseModel

from oshi.fulfilment import retry
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class RetryOut(BaseModel):
    order_id: str
    outcome: str  # fulfilled | done | refunded
    status: str


@endpoint
def post_retry(order_id: str) -> RetryOut:
    result = retry.retry(order_id, actor=endpoint.caller().user_id, request_id=endpoint.request_id)
    return RetryOut(order_id=result.order_id, outcome=result.outcome, status=result.status)


handler = endpoint.lambda_handler
