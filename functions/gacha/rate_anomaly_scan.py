"""Scheduled (oshi.web.topology.SCHEDULES): the rate-anomaly check over gachas with draws, publishing
``RateAnomaly`` (oshi.draw.anomalies). The public stats page only reports; it never alerts."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.draw import anomalies
from oshi.kernel.observability import logger, metrics


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = anomalies.scan()
    metrics.add_metric(name="RateAnomalyScanChecked", unit="Count", value=result.checked)
    return {"checked": result.checked, "anomalous": len(result.anomalous)}
