"""GET /api/admin/reconciliation (admin): payments against fulfilment, totals per provider and day."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from oshi.commerce import reconciliation
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class ReconciliationOut(BaseModel):
    generated_at: datetime
    stale_after_minutes: int
    paid_orders: int
    totals: list[dict[str, Any]]
    needs_attention: list[dict[str, Any]]


@endpoint
def get_reconciliation(
    stale_minutes: Annotated[int, Query(ge=1, le=7 * 24 * 60)] = reconciliation.DEFAULT_STALE_MINUTES,
) -> ReconciliationOut:
    report = reconciliation.report(stale_minutes=stale_minutes)
    return ReconciliationOut(
        generated_at=report.generated_at,
        stale_after_minutes=report.stale_after_minutes,
        paid_orders=report.paid_orders,
        totals=[asdict(row) for row in report.totals],
        needs_attention=report.needs_attention,
    )


handler = endpoint.lambda_handler
