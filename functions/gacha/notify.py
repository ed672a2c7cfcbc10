"""Consumer: ``GachaCompleted`` / ``OrderRefunded`` -> a message on each of the fan's WebSocket connections.

SQS records carry the EventBridge event JSON. Powertools ``BatchProcessor`` reports partial batch
failures, so one failing post is retried alone; gone connections are deleted, not retried.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.events.definitions import (
    GACHA_COMPLETED,
    ORDER_REFUNDED,
    EventDefinition,
    GachaCompletedData,
    OrderRefundedData,
)
from oshi.fulfilment import notifications
from oshi.kernel.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)
# The events a fan is told about; oshi.web.topology routes the same detail types to this consumer.
NOTIFIED: dict[str, EventDefinition[GachaCompletedData] | EventDefinition[OrderRefundedData]] = {
    GACHA_COMPLETED.detail_type: GACHA_COMPLETED,
    ORDER_REFUNDED.detail_type: ORDER_REFUNDED,
}


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    definition = NOTIFIED.get(event.get("detail-type"))
    if definition is None:
        logger.warning("ignored event", extra={"detail_type": event.get("detail-type")})
        return
    # A malformed event raises (pydantic ValidationError): retried, then the DLQ and its alarm.
    received = definition.parse(event["detail"])
    user_id = notifications.recipient_of(received.data)
    if user_id is None:
        logger.warning("event names no fan", extra={"event_id": received.metadata.event_id})
        return
    notifications.notify_user(user_id, notifications.message_for(received))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
