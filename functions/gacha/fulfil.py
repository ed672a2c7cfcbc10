"""Consumer: ``PaymentCompleted`` -> the draw, exactly once per order (oshi.fulfilment.fulfil).

The event is read with its declared model (``oshi.events.definitions.PAYMENT_COMPLETED``).

SQS records carry the EventBridge event JSON. Powertools ``BatchProcessor`` reports partial batch
failures: a failing order is retried alone (then the DLQ and its alarm), the others are done.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.events.definitions import PAYMENT_COMPLETED
from oshi.fulfilment import fulfil
from oshi.kernel.observability import logger, metrics

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    if event.get("detail-type") != PAYMENT_COMPLETED.detail_type:
        logger.warning("ignored event", extra={"detail_type": event.get("detail-type")})
        return
    # A malformed event raises (pydantic ValidationError): retried, then the DLQ and its alarm.
    received = PAYMENT_COMPLETED.parse(event["detail"])
    paid = received.data
    receives = int(record.attributes.approximate_receive_count or "1")
    outcome = fulfil.fulfil(
        paid.order_id,
        fan_id=paid.fan_id,
        gacha_id=paid.gacha_id,
        redelivered=receives > 1,
        correlation_id=received.metadata.correlation_id,
    )
    logger.info("fulfilment", extra={"order_id": paid.order_id, "outcome": outcome.status})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
