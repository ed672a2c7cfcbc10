"""GET /api/admin/refunds/pending (admin): orders owing a refund, oldest first (oshi.commerce.refunds).

Each is being retried by the refund consumer, or ``escalated``: its retries are spent and a person must
refund it (the admin refund, ``POST /api/admin/orders/{order_id}/refund``, clears it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from oshi.commerce import refunds
from oshi.models.orders import Order, Provider
from oshi.web.api import Endpoint
from oshi.web.params import Query

endpoint = Endpoint(__name__)


class PendingRefundOut(BaseModel):
    order_id: str
    fan_id: str
    provider: Provider
    status: str = Field(
        description="The order's status (FAILED / EXPIRED for a late or mismatched "
        "payment, PAID for a fulfilment that could not draw)"
    )
    reason: str = Field(description="Why the money is owed: late_payment, amount_mismatch, ...")
    amount: int = Field(description="Money received, in the currency's minor unit")
    currency: str
    due_since: datetime
    attempts: int = Field(description="Provider refund calls refused so far")
    last_error: str | None = Field(description="The provider's last refusal")
    escalated: bool = Field(description="The automatic retries are spent: a person must refund it")

    @classmethod
    def of(cls, order: Order) -> PendingRefundOut:
        return cls(
            order_id=order.order_id,
            fan_id=order.fan_id,
            provider=Provider(order.provider),
            status=order.status,
            reason=str(order.refund_due_reason or ""),
            amount=int(order.received_amount if order.received_amount is not None else order.amount),
            currency=str(order.received_currency or order.currency),
            due_since=order.refund_due_since,
            attempts=int(order.refund_attempts or 0),
            last_error=order.refund_last_error,
            escalated=order.refund_escalated_at is not None,
        )


class PendingRefundPage(BaseModel):
    items: list[PendingRefundOut]
    next_cursor: str | None


@endpoint
def get_pending_refunds(
    limit: Annotated[int, Query(ge=1, le=refunds.MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> PendingRefundPage:
    page, next_cursor = refunds.pending(limit=limit, cursor=cursor)
    return PendingRefundPage(items=[PendingRefundOut.of(o) for o in page], next_cursor=next_cursor)


handler = endpoint.lambda_handler
