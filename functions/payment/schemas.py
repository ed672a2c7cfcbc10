"""Response shapes of the payment admin routes; ``payment.bodies`` builds them without pydantic, and the
tests check every answer against these models (``oshi.web.shapes``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from oshi.models.orders import Provider


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


class PendingRefundPage(BaseModel):
    items: list[PendingRefundOut]
    next_cursor: str | None
