"""POST /api/admin/orders/{order_id}/retry (admin, MFA): fulfil a paid order now (after its message went
to the DLQ); the rule lives in ``oshi.fulfilment.retry`` (the consumer's exactly-once path, audited)."""

from __future__ import annotations

from typing import Literal, cast

from pydantic import BaseModel

from oshi.fulfilment import retry
from oshi.models.orders import OrderStatus
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)

Outcome = Literal[
    "fulfilled", "done", "not_paid", "missing", "refunded", "refund_due"
]  # fulfil.Outcome.status


class RetryOut(BaseModel):
    order_id: str
    outcome: Outcome
    status: OrderStatus


@endpoint
def post_retry(order_id: str) -> RetryOut:
    result = retry.retry(order_id, actor=endpoint.caller().user_id, request_id=endpoint.request_id)
    return RetryOut(
        order_id=result.order_id,
        outcome=cast(Outcome, result.outcome),  # validated against Outcome
        status=OrderStatus(result.status),
    )


handler = endpoint.lambda_handler
