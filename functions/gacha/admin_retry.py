"""POST /api/admin/orders/{order_id}/retry (admin, MFA): fulfil a paid order now (after its message went
to the DLQ); the same exactly-once path as the consumer, so a retry of a fulfilled order changes nothing."""

from __future__ import annotations

from pydantic import BaseModel

from oshi import audit
from oshi.fulfilment import fulfil
from oshi.kernel.errors import OrderNotFound, OrderNotRetryable
from oshi.models.orders import Order, OrderStatus
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class RetryOut(BaseModel):
    order_id: str
    outcome: str  # fulfilled | done | refunded
    status: str


@endpoint
def post_retry(order_id: str) -> RetryOut:
    try:
        order = Order.get(order_id, consistent_read=True)
    except Order.DoesNotExist:
        raise OrderNotFound() from None
    if order.status not in (OrderStatus.PAID, OrderStatus.FULFILLED):
        raise OrderNotRetryable(details={"status": order.status})
    outcome = fulfil.fulfil(order_id, fan_id=order.fan_id, gacha_id=order.gacha_id, redelivered=True)
    status = outcome.order.status if outcome.order is not None else order.status
    audit.record(
        endpoint.caller().user_id,
        "order.fulfilment_retried",
        f"order:{order_id}",
        before={"status": order.status},
        after={"status": status, "outcome": outcome.status},
        request_id=endpoint.request_id,
    )
    return RetryOut(order_id=order_id, outcome=outcome.status, status=str(status))


handler = endpoint.lambda_handler
