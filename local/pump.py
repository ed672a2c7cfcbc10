"""The local event pump: what EventBridge → SQS → Lambda event source mappings do on AWS.

Also, as on AWS: S3 ObjectCreated under ``uploads/`` → SQS → the upload validator (moto sends bucket
notifications to SQS; ``wire_upload_validation``), ``oshi.web.topology.SCHEDULES`` run every N minutes
(``SchedulePump``, with ``run_now`` for tests and admins), and the audit outbox's DynamoDB stream hands new
entries to the audit chainer (``AuditStreamPump``: moto has no stream triggers, so it polls the outbox).

moto delivers ``put_events`` to the SQS targets of matching rules, but does not invoke Lambda. The pump
long-polls each consumer's queue, hands batches to the consumer's real handler as an SQS event, deletes
what succeeded, and leaves failed messages (``batchItemFailures``, or all of them when the handler
raises) to come back after a short backoff. After ``max_receive_count`` receives moto moves a message
to the consumer's DLQ, as SQS does.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import time
from types import ModuleType
from typing import Any

from local.apigw import ACCOUNT, FakeLambdaContext
from local.instances import FunctionInstances
from oshi.kernel.aws import client
from oshi.kernel.observability import logger
from oshi.kernel.settings import Settings, get_settings
from oshi.web import topology
from oshi.web.topology import Consumer, Schedule

RETRY_BACKOFF_SECONDS = 1
# Long polls, as an SQS event source mapping's pollers make (theirs last 20 s; ours stay under the SQS
# client's 10-s read timeout, oshi.kernel.aws). An idle poller costs moto one request per 8 s instead of
# one a second: with several pollers per consumer, 1-second polls were a steady load on the stack.
LONG_POLL_SECONDS = 8


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


def receive(consumer: Consumer, queue_url: str, wait_seconds: int) -> list[dict[str, Any]]:
    """One receive of up to a batch, long-polling up to ``wait_seconds``."""
    return list(
        client("sqs")
        .receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(consumer.batch_size, 10),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        )
        .get("Messages", [])
    )


def handle(
    consumer: Consumer, queue_url: str, received: list[dict[str, Any]], module: ModuleType | None = None
) -> None:
    """Run the consumer on a received batch; delete what succeeded, back off what failed.
    ``module``: the instance of the consumer's function to run (by default the imported one)."""
    sqs = client("sqs")
    queue_name = queue_url.rsplit("/", 1)[-1]
    module = module or importlib.import_module(consumer.handler)
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


def deliver_once(consumer: Consumer, queue_url: str, wait_seconds: int = 1) -> int:
    """Receive one batch and run the consumer on it; returns how many messages were received."""
    received = receive(consumer, queue_url, wait_seconds)
    if received:
        handle(consumer, queue_url, received)
    return len(received)


def pumped_consumers(queue_urls: dict[str, str]) -> list[Consumer]:
    """The bus consumers, plus the S3 upload validator once its queue is wired (``wire_upload_validation``)."""
    extra = [topology.UPLOAD_VALIDATION] if topology.UPLOAD_VALIDATION.queue in queue_urls else []
    return [*topology.CONSUMERS, *extra]


class EventPump:
    """Polls each consumer's queue and runs its function, as an SQS event source mapping does. On AWS the
    mapping runs several pollers and instances per queue; here ``instances`` pollers per consumer
    (``LOCAL_CONSUMER_INSTANCES``, default 1), each with its own instance of the function."""

    def __init__(self, queue_urls: dict[str, str], instances: int = 1) -> None:
        if instances < 1:
            raise ValueError("LOCAL_CONSUMER_INSTANCES must be at least 1")
        self.queue_urls = queue_urls
        self.instances = instances
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._handling = threading.Condition()
        self._batches_in_hand = 0

    def start(self) -> None:
        for consumer in pumped_consumers(self.queue_urls):
            function = FunctionInstances(consumer.handler, self.instances)
            for index in range(self.instances):
                thread = threading.Thread(
                    target=self._run,
                    args=(consumer, function),
                    name=f"pump-{consumer.queue}-{index}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)

    def _run(self, consumer: Consumer, function: FunctionInstances) -> None:
        url = self.queue_urls[consumer.queue]
        while not self._stop.is_set():
            try:
                with function.instance() as module:
                    received = receive(consumer, url, LONG_POLL_SECONDS)
                    if not received or self._stop.is_set():  # stopping: they come back after the timeout
                        continue
                    with self._handling:
                        self._batches_in_hand += 1
                    try:
                        handle(consumer, url, received, module)
                    finally:
                        with self._handling:
                            self._batches_in_hand -= 1
                            self._handling.notify_all()
            except Exception:  # noqa: BLE001 - keep pumping: a moto hiccup must not stop the local stack
                if self._stop.is_set():  # moto stopped under a long poll: nothing was received
                    return
                logger.exception("event pump error", extra={"consumer": consumer.queue})
                time.sleep(1)

    def stop(self, timeout: float = 3.0) -> None:
        """Stop polling and wait (up to ``timeout``) for the batches being handled; pollers waiting in a
        long poll hold nothing and are daemon threads."""
        self._stop.set()
        with self._handling:
            self._handling.wait_for(lambda: self._batches_in_hand == 0, timeout=timeout)


# --- S3 upload notifications (issue 4) ---


def wire_upload_validation(settings: Settings) -> str:
    """Queue + DLQ for the upload validator and the content bucket's ObjectCreated notification to it.

    Safe to run twice. Returns the queue URL (add it to the pump's ``queue_urls``)."""
    consumer = topology.UPLOAD_VALIDATION
    sqs = client("sqs")
    dlq_url = sqs.create_queue(QueueName=settings.queue_name(f"{consumer.queue}-dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(consumer.max_receive_count)}
    url: str = sqs.create_queue(
        QueueName=settings.queue_name(consumer.queue),
        Attributes={
            "VisibilityTimeout": str(consumer.visibility_timeout_seconds),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client("s3").put_bucket_notification_configuration(
        Bucket=settings.content_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "validate-uploads",
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {"FilterRules": [{"Name": "prefix", "Value": topology.UPLOAD_EVENTS_PREFIX}]}
                    },
                }
            ]
        },
    )
    return url


# --- schedules ---


def scheduled_event(schedule: Schedule) -> dict[str, Any]:
    """What an EventBridge scheduled rule hands the function (the handlers read nothing from it)."""
    region = get_settings().region
    return {
        "version": "0",
        "id": f"local-{schedule.name}-{time.time_ns()}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT}:rule/{schedule.name}"],
        "detail": {},
    }


def run_schedule(schedule: Schedule) -> Any:
    module = importlib.import_module(schedule.handler)
    return module.handler(scheduled_event(schedule), FakeLambdaContext(function_name=schedule.name))


class SchedulePump:
    """Runs each schedule's handler every ``every_minutes`` (scaled by ``OSHI_LOCAL_SCHEDULE_SCALE``,
    e.g. 0.01 to run a 5-minute schedule every 3 s); ``run_now`` runs one immediately."""

    def __init__(self, schedules: tuple[Schedule, ...] | None = None, scale: float | None = None) -> None:
        self.schedules = {s.name: s for s in (topology.SCHEDULES if schedules is None else schedules)}
        self.scale = float(os.environ.get("OSHI_LOCAL_SCHEDULE_SCALE", "1")) if scale is None else scale
        self.runs: dict[str, int] = dict.fromkeys(self.schedules, 0)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def run_now(self, name: str) -> Any:
        schedule = self.schedules[name]  # KeyError: no such schedule
        with self._lock:  # one run of a schedule at a time, as a reserved concurrency of 1 would
            try:
                return run_schedule(schedule)
            finally:
                self.runs[name] += 1

    def start(self) -> None:
        for schedule in self.schedules.values():
            thread = threading.Thread(
                target=self._run, args=(schedule,), name=f"schedule-{schedule.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, schedule: Schedule) -> None:
        interval = max(schedule.every_minutes * 60 * self.scale, 0.5)
        while not self._stop.wait(interval):
            try:
                self.run_now(schedule.name)
            except Exception:  # noqa: BLE001 - a failed run is logged; the next tick tries again
                logger.exception("schedule failed", extra={"schedule": schedule.name})

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout  # one deadline for all, not 3 s per thread in turn
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


# --- the audit outbox's stream (issue 21) ---

STREAM_POLL_SECONDS = 0.5  # DynamoDB Streams hands a Lambda new records within about a second


def outbox_stream_event(limit: int = 100) -> dict[str, Any] | None:
    """What the outbox's stream (KEYS_ONLY, INSERT only) would hand the chainer: the keys of pending entries;
    None when there are none. moto has no stream triggers, so the pump reads the outbox itself."""
    from oshi.models.audit import AuditPending

    records = [
        {
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {"Keys": {"day": {"S": item.day}, "entry_id": {"S": item.entry_id}}},
        }
        for item in AuditPending.scan(limit=limit, attributes_to_get=["day", "entry_id"])
    ]
    return {"Records": records} if records else None


class AuditStreamPump:
    """The outbox stream's event source mapping: while entries are pending, hand them to the audit chainer
    (one batch at a time, as reserved concurrency 1 does). The chainer's schedule still sweeps leftovers."""

    def __init__(self, lock: threading.Lock | None = None) -> None:
        self._lock = lock or threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.batches = 0

    def run_once(self) -> Any:
        event = outbox_stream_event()
        if event is None:
            return None
        module = importlib.import_module(topology.AUDIT_CHAINER)
        with self._lock:
            self.batches += 1
            return module.handler(event, FakeLambdaContext(function_name="audit-chainer"))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-outbox-stream", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(STREAM_POLL_SECONDS):
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the stream retries the batch; the sweep catches the rest
                logger.exception("audit chainer failed on a stream batch")

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)


# --- what local/__main__.py starts besides the bus consumers ---


class Extras:
    def __init__(self, websocket: Any, schedules: SchedulePump, audit_stream: AuditStreamPump) -> None:
        self.websocket = websocket
        self.schedules = schedules
        self.audit_stream = audit_stream

    def summary(self) -> str:
        names = ", ".join(self.schedules.schedules) or "none"
        return (
            f"  WebSocket  {self.websocket.url}/?token=<access token>  (@connections at "
            f"{self.websocket.management_url})\n"
            f"  schedules  {names}; run one now: POST {self.websocket.management_url}/_local/schedules/<name>\n"
            f"  uploads    s3://{get_settings().content_bucket}/{topology.UPLOAD_EVENTS_PREFIX} -> "
            f"{topology.UPLOAD_VALIDATION.handler} (S3 notification -> SQS)\n"
            f"  audit      the audit outbox's stream -> {topology.AUDIT_CHAINER} (polled every "
            f"{STREAM_POLL_SECONDS} s)"
        )

    def stop(self) -> None:
        self.audit_stream.stop()
        self.schedules.stop()
        self.websocket.stop()


def start_extras(host: str, api_port: int, queue_urls: dict[str, str]) -> Extras:
    """The WebSocket API, the S3 upload notification queue (added to ``queue_urls``) and the schedules."""
    from local.websocket import start_websocket

    settings = get_settings()
    queue_urls[topology.UPLOAD_VALIDATION.queue] = wire_upload_validation(settings)
    schedules = SchedulePump()
    websocket = start_websocket(host, api_port, control={"schedules": schedules.run_now})
    schedules.start()
    audit_stream = AuditStreamPump(schedules._lock)
    audit_stream.start()
    return Extras(websocket, schedules, audit_stream)
