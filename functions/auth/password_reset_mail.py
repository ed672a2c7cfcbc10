"""Consumer: ``PasswordResetRequested`` -> the reset link, mailed if the address has an account
(``oshi.identity.accounts.send_reset_link``: at most 3 an hour per address; a request is used once, so a
redelivery mails nothing)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.events.definitions import PASSWORD_RESET_REQUESTED
from oshi.identity import accounts
from oshi.kernel.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    received = PASSWORD_RESET_REQUESTED.parse(json.loads(record.body)["detail"])
    accounts.send_reset_link(received.data.request_id)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
