"""GET /api/admin/reconciliation (admin): payments against fulfilment, totals per provider and day."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from oshi.commerce import reconciliation
from oshi.models.orders import Provider
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.schemas import IsoDateTime

endpoint = Endpoint(__name__)


class DayTotalsOut(BaseModel):
    """One provider's paid orders on one business day (``reconciliation.DayTotals``)."""

    provider: Provider
    day: str = Field(description="The paid day in JST, YYYY-MM-DD")
    orders: int
    amount: int = Field(description="Integer JPY")
    fulfilled: int
    refunded: int
    refunded_amount: int = Field(description="Integer JPY")
    awaiting_fulfilment: int


class AttentionOut(BaseModel):
    """A paid order not fulfilled within ``stale_after_minutes``."""

    order_id: str
    provider: Provider
    amount: int = Field(description="Integer JPY")
    paid_at: IsoDateTime
    minutes_waiting: int
    reason: Literal["paid_not_fulfilled"]


class ReconciliationOut(BaseModel):
    generated_at: datetime
    stale_after_minutes: int
    paid_orders: int
    totals: list[DayTotalsOut]
    needs_attention: list[AttentionOut]


@endpoint
def get_reconciliation(
    stale_minutes: Annotated[int, Query(ge=1, le=7 * 24 * 60)] = reconciliation.DEFAULT_STALE_MINUTES,
) -> ReconciliationOut:
    report = reconciliation.report(stale_minutes=stale_minutes)
    return ReconciliationOut(
        generated_at=report.generated_at,
        stale_after_minutes=report.stale_after_minutes,
        paid_orders=report.paid_orders,
        totals=[DayTotalsOut.model_validate(asdict(row)) for row in report.totals],
        needs_attention=[AttentionOut.model_validate(a) for a in report.needs_attention],
    )


handler = endpoint.lambda_handler
