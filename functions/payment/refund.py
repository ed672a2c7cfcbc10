"""Consumer: ``RefundDue`` -> the provider refund of money received for an order that will not be fulfilled
(``oshi.commerce.refunds.settle_due``: Idempotency-Key per order, then the order marked refunded).

A refusal fails the record (Powertools ``BatchProcessor`` reports it alone) after stretching its visibility
(exponential backoff: SQS alone would retry after a fixed visibility timeout). On the last receive the
order is marked escalated before the message goes to the DLQ (alarm); it stays on the admins'
pending-refund list (``GET /api/admin/refunds/pending``) until refunded.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.commerce import refunds
from oshi.events.definitions import REFUND_DUE
from oshi.kernel.aws import client
from oshi.kernel.errors import RefundFailed
from oshi.kernel.observability import logger, metrics
from oshi.web.topology import CONSUMERS

ACTOR = "system:refunds"
CONSUMER = next(c for c in CONSUMERS if c.handler == __name__)
BACKOFF_BASE_SECONDS = 120
MAX_VISIBILITY_SECONDS = 12 * 3600  # the SQS maximum

processor = BatchProcessor(event_type=EventType.SQS)


def backoff_seconds(receives: int) -> int:
    """Wait before the next attempt after ``receives`` failed ones: 2, 4, 8 ... minutes."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(receives - 1, 0), MAX_VISIBILITY_SECONDS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    if event.get("detail-type") != REFUND_DUE.detail_type:
        logger.warning("ignored event", extra={"detail_type": event.get("detail-type")})
        return
    # A malformed event raises (pydantic ValidationError): retried, then the DLQ and its alarm.
    due = REFUND_DUE.parse(event["detail"]).data
    receives = int(record.attributes.approximate_receive_count or "1")
    last_attempt = receives >= CONSUMER.max_receive_count
    try:
        order = refunds.settle_due(due.order_id, actor=ACTOR, last_attempt=last_attempt)
    except RefundFailed:
        metrics.add_metric(name="RefundAttemptsFailed", unit="Count", value=1)
        if not last_attempt:
            _delay(record, backoff_seconds(receives))
        raise
    logger.info("refund due", extra={"order_id": due.order_id, "status": order.status})


def _delay(record: SQSRecord, seconds: int) -> None:
    """Come back after ``seconds`` (best effort: without it the queue's visibility timeout applies)."""
    try:
        queue = record.event_source_arn.rsplit(":", 1)[-1]
        sqs = client("sqs")
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=record.receipt_handle, VisibilityTimeout=seconds
        )
    except Exception as exc:  # noqa: BLE001 - the retry still happens, only sooner
        logger.warning(
            "could not delay the refund retry", extra={"message_id": record.message_id, "error": str(exc)}
        )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
