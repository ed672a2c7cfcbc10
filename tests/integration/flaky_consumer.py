"""A consumer used only by the event pump tests: records what it sees, fails messages marked "fail",
and holds a message marked "hold" until ``release`` is set (a batch in hand while the pump stops)."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

# The pump runs a copy of this module per extra instance (local.instances): copies share the first
# instance's state, so a test sees what any instance saw.
_first = sys.modules.get(__name__)
seen: list[dict[str, Any]] = getattr(_first, "seen", [])
holding: threading.Event = getattr(_first, "holding", threading.Event())
release: threading.Event = getattr(_first, "release", threading.Event())
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    seen.append(event)
    if event["detail"]["data"].get("hold"):
        holding.set()
        release.wait(30)
    if event["detail"]["data"].get("fail"):
        raise ValueError("asked to fail")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
