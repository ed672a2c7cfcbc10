"""Scheduled (oshi.web.topology.SCHEDULES): release the reservations of orders that can no longer be paid."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.commerce import settlement
from oshi.kernel.observability import logger, metrics


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    expired = settlement.sweep_expired()
    metrics.add_metric(name="ReservationsReleased", unit="Count", value=len(expired))
    return {"expired": len(expired)}
