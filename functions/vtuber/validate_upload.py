"""Consumer: validate each uploaded object (S3 ObjectCreated on ``uploads/``) by its own bytes.

Wired either way, the same code runs:
- S3 event notification -> SQS queue (with a DLQ) -> this Lambda: SQS records whose body is an S3
  notification; Powertools ``BatchProcessor`` reports partial batch failures, so one bad record is
  retried alone (the event source mapping needs ``ReportBatchItemFailures``).
- S3 event notification -> this Lambda directly: ``Records`` with ``eventSource = aws:s3``.

Validation is idempotent (``oshi.catalogue.uploads.validate_uploaded_object``), so redeliveries are harmless.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.catalogue import uploads
from oshi.kernel.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def s3_objects(notification: dict[str, Any]) -> list[tuple[str, str]]:
    """(bucket, key) of every ObjectCreated record in an S3 notification (test events have none)."""
    found = []
    for record in notification.get("Records") or []:
        if record.get("eventSource") != "aws:s3" or not str(record.get("eventName", "")).startswith(
            "ObjectCreated"
        ):
            continue
        s3 = record["s3"]
        found.append((s3["bucket"]["name"], unquote_plus(s3["object"]["key"])))
    return found


def record_handler(record: SQSRecord) -> None:
    for bucket, key in s3_objects(json.loads(record.body)):
        uploads.validate_uploaded_object(bucket, key)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    if records and records[0].get("eventSource") == "aws:sqs":
        return dict(
            process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=context
            )
        )
    for bucket, key in s3_objects(event):
        uploads.validate_uploaded_object(bucket, key)
    return {"validated": len(records)}
