"""Reading orders: a fan's order and history, an admin's lookup and the orders owing a refund.

Apart from ``oshi.commerce.orders`` (the purchase) and ``oshi.commerce.settlement`` (payment and
release), so the read routes' cold start loads the order model and nothing of the purchase machinery
(stock, campaigns, draws, events: docs/performance.md §1).
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from oshi.kernel import cursors
from oshi.kernel.errors import OrderNotFound
from oshi.models.orders import REFUND_DUE, Order

MAX_PAGE = 50
REFUNDS_MAX_PAGE = 100
_BY_FAN_KEYS = ("order_id", "fan_id", "created_at")
_OWING_KEYS = ("order_id", "refund_due", "refund_due_since")


def get(order_id: str) -> Order:
    try:
        return Order.get(order_id, consistent_read=True)
    except DoesNotExist:
        raise OrderNotFound() from None


def get_for_fan(fan_id: str, order_id: str) -> Order:
    """The caller's order; anyone else's (or none) is the same 404, so ids reveal nothing."""
    order = get(order_id)
    if order.fan_id != fan_id:
        raise OrderNotFound()
    return order


def list_for_fan(
    fan_id: str, *, limit: int = 20, cursor: str | None = None
) -> tuple[list[Order], str | None]:
    results = Order.by_fan.query(
        fan_id,
        scan_index_forward=False,
        limit=max(1, min(limit, MAX_PAGE)),
        last_evaluated_key=cursors.decode(cursor, _BY_FAN_KEYS),
    )
    orders = list(results)
    return orders, cursors.encode(results.last_evaluated_key)


def owing_refund(*, limit: int = 50, cursor: str | None = None) -> tuple[list[Order], str | None]:
    """Orders owing a refund, oldest first (the admins' list): being retried, or escalated
    (``oshi.commerce.refunds``)."""
    results = Order.owing_refund.query(
        REFUND_DUE,
        limit=max(1, min(limit, REFUNDS_MAX_PAGE)),
        last_evaluated_key=cursors.decode(cursor, _OWING_KEYS),
    )
    found = list(results)
    return found, cursors.encode(results.last_evaluated_key)
