"""The audit chainer: moves entries from the audit outbox into the hash chain (``oshi.audit.chain_pending``).

On AWS it runs from the outbox table's DynamoDB stream (one shard reader at a time, reserved concurrency 1,
so batches never race) and from a schedule, the sweep that chains anything a failed batch left behind.
Locally the schedule pump runs it. Idempotent: every run chains whatever is pending, in key order.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi import audit
from oshi.kernel.observability import logger, metrics


def _days(event: dict[str, Any]) -> set[str] | None:
    """The days a stream batch inserted into; None for the scheduled sweep (every day still pending)."""
    records = event.get("Records")
    if not records:
        return None
    return {
        str(record["dynamodb"]["Keys"]["day"]["S"])
        for record in records
        if record.get("eventName") == "INSERT"
    }


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    chained = audit.chain_pending(_days(event))
    metrics.add_metric(name="AuditEntriesChained", unit="Count", value=chained)
    return {"chained": chained}
