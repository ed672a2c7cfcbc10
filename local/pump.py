"""The local event pump: what EventBridge → SQS → Lambda event source mappings do on AWS.

moto delivers ``put_events`` to the SQS targets of matching rules, but does not invoke Lambda. The pump
long-polls each consumer's queue, hands batches to the consumer's real handler as an SQS event, deletes
what succeeded, and leaves failed messages (``batchItemFailures``, or all of them when the handler
raises) to come back after a short backoff. After ``max_receive_count`` receives moto moves a message
to the consumer's DLQ, as SQS does.
"""

from __future__ import annotations

import importlib
import threading
import time
from typing import Any

from local.apigw import ACCOUNT, FakeLambdaContext
from oshi import topology
from oshi.aws import client
from oshi.observability import logger
from oshi.settings import get_settings
from oshi.topology import Consumer

RETRY_BACKOFF_SECONDS = 1


def sqs_event(consumer: Consumer, queue_name: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    region = get_settings().region
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:{ACCOUNT}:{queue_name}",
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def deliver_once(consumer: Consumer, queue_url: str, wait_seconds: int = 1) -> int:
    """Receive one batch and run the consumer on it; returns how many messages were received."""
    sqs = client("sqs")
    received = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=min(consumer.batch_size, 10),
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
    ).get("Messages", [])
    if not received:
        return 0
    queue_name = queue_url.rsplit("/", 1)[-1]
    module = importlib.import_module(consumer.handler)
    try:
        result = module.handler(
            sqs_event(consumer, queue_name, received), FakeLambdaContext(function_name=consumer.queue)
        )
        failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
    except Exception:  # noqa: BLE001 - the whole batch failed, as when a Lambda invocation errors
        logger.exception("consumer failed", extra={"consumer": consumer.queue})
        failed = {message["MessageId"] for message in received}
    for message in received:
        if message["MessageId"] in failed:
            receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
            sqs.change_message_visibility(
                QueueUrl=queue_url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=RETRY_BACKOFF_SECONDS * receives,
            )
        else:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return len(received)


class EventPump:
    def __init__(self, queue_urls: dict[str, str]) -> None:
        self.queue_urls = queue_urls
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for consumer in topology.CONSUMERS:
            thread = threading.Thread(
                target=self._run, args=(consumer,), name=f"pump-{consumer.queue}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, consumer: Consumer) -> None:
        url = self.queue_urls[consumer.queue]
        while not self._stop.is_set():
            try:
                deliver_once(consumer, url)
            except Exception:  # noqa: BLE001 - keep pumping: a moto hiccup must not stop the local stack
                logger.exception("event pump error", extra={"consumer": consumer.queue})
                time.sleep(1)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=3)
