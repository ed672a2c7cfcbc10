"""Consumer: SES bounce and complaint notifications -> the suppression list (``oshi.mail.suppression``).

SES publishes them for the configuration set to an SNS topic, which delivers to this queue (the CDK
``Mail`` construct). A record's body is the SNS envelope (``Message`` holds SES' JSON) or, with raw
delivery, SES' JSON itself. Idempotent: suppressing an address twice changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.kernel.observability import logger
from oshi.mail import suppression

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    notification = json.loads(body["Message"]) if body.get("Type") == "Notification" else body
    reason, addresses = suppression.addresses_in_notification(notification)
    for address in addresses:
        suppression.suppress(address, reason)
    logger.info("mail feedback", extra={"reason": reason or "none", "addresses": len(addresses)})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
