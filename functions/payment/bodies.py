"""The payment admin routes' answers in JSON form, without pydantic (``payment.schemas`` documents them)."""

from __future__ import annotations

from oshi.models.orders import Order
from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime


def pending_refund(order: Order) -> JsonObject:
    """An order owing a refund, as ``PendingRefundOut`` documents it."""
    return {
        "order_id": order.order_id,
        "fan_id": order.fan_id,
        "provider": order.provider,
        "status": order.status,
        "reason": str(order.refund_due_reason or ""),
        "amount": int(order.received_amount if order.received_amount is not None else order.amount),
        "currency": str(order.received_currency or order.currency),
        "due_since": json_datetime(order.refund_due_since),
        "attempts": int(order.refund_attempts or 0),
        "last_error": order.refund_last_error,
        "escalated": order.refund_escalated_at is not None,
    }
