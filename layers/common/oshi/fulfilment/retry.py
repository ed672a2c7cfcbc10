"""The admin's retry of a paid order's fulfilment (after its message went to the DLQ).

The same exactly-once path as the consumer (``oshi.fulfilment.fulfil.fulfil``, as a redelivery), so a
retry of a fulfilled order changes nothing; only ``PAID`` and ``FULFILLED`` orders can be retried.
Every retry is audited with the order's status before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from oshi import audit
from oshi.fulfilment import fulfil
from oshi.kernel.errors import OrderNotFound, OrderNotRetryable
from oshi.models.orders import Order, OrderStatus

RETRYABLE = (OrderStatus.PAID, OrderStatus.FULFILLED)


@dataclass(frozen=True)
class RetryResult:
    order_id: str
    outcome: str  # fulfilled | done | refunded (fulfil.Outcome.status)
    status: str  # the order's status afterwards


def retry(order_id: str, *, actor: str, request_id: str | None) -> RetryResult:
    """Fulfil ``order_id`` now. ``OrderNotFound`` (404) if there is no such order, ``OrderNotRetryable``
    (409) unless it is ``PAID`` or ``FULFILLED``."""
    try:
        order = Order.get(order_id, consistent_read=True)
    except DoesNotExist:
        raise OrderNotFound() from None
    if order.status not in RETRYABLE:
        raise OrderNotRetryable(details={"status": order.status})
    outcome = fulfil.fulfil(order_id, fan_id=order.fan_id, gacha_id=order.gacha_id, redelivered=True)
    status = outcome.order.status if outcome.order is not None else order.status
    audit.record(
        actor,
        "order.fulfilment_retried",
        f"order:{order_id}",
        before={"status": order.status},
        after={"status": status, "outcome": outcome.status},
        request_id=request_id,
    )
    return RetryResult(order_id=order_id, outcome=outcome.status, status=str(status))
