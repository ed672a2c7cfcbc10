"""Events: the envelope on the bus, the rules to SQS, and the local pump's retries and dead-lettering."""

from __future__ import annotations

import json
import threading

import flaky_consumer
import pytest

from local import pump
from local.provision import create_events
from local.pump import deliver_once
from oshi.events import bus
from oshi.kernel.aws import client
from oshi.kernel.errors import EventPublishFailed
from oshi.kernel.settings import get_settings
from oshi.web import topology

CONSUMER = topology.Consumer(
    queue="test-consumer", handler="flaky_consumer", detail_types=("ThingHappened",), max_receive_count=2
)


@pytest.fixture
def queues(aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(topology, "CONSUMERS", (CONSUMER,))
    flaky_consumer.seen.clear()
    return create_events(get_settings())


def _drain(queue_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # moto honours visibility timeouts in real time: retry at once instead of after the pump's backoff.
    monkeypatch.setattr(pump, "RETRY_BACKOFF_SECONDS", 0)
    for _ in range(10):
        deliver_once(CONSUMER, queue_url, wait_seconds=0)


def test_published_event_reaches_the_consumer_in_the_common_envelope(queues: dict[str, str]) -> None:
    bus.publish([bus.Event("ThingHappened", {"order_id": "o-1"}, event_id="evt-1", correlation_id="req-9")])
    assert deliver_once(CONSUMER, queues["test-consumer"], wait_seconds=0) == 1
    (received,) = flaky_consumer.seen
    assert received["detail-type"] == "ThingHappened"
    assert received["source"] == get_settings().event_source
    metadata, data = bus.parse_detail(received["detail"])
    assert data == {"order_id": "o-1"}
    assert metadata["event_id"] == "evt-1"
    assert metadata["correlation_id"] == "req-9"
    assert metadata["version"] == "1"


def test_events_of_other_types_are_not_delivered(queues: dict[str, str]) -> None:
    bus.publish([bus.Event("SomethingElse", {})])
    assert deliver_once(CONSUMER, queues["test-consumer"], wait_seconds=0) == 0


def test_publish_batches_by_ten(queues: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_put = bus._put
    monkeypatch.setattr(bus, "_put", lambda entries: (calls.append(len(entries)), real_put(entries)))
    bus.publish(bus.Event("ThingHappened", {"n": n}) for n in range(23))
    assert calls == [10, 10, 3]


def test_refused_entries_raise(queues: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    class RefusingEvents:
        def put_events(self, Entries: list[dict[str, str]]) -> dict[str, object]:
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"} for _ in Entries]}

    monkeypatch.setattr(bus, "client", lambda name: RefusingEvents())
    with pytest.raises(EventPublishFailed, match="InternalFailure"):
        bus.publish([bus.Event("ThingHappened", {})])


def test_failed_message_is_retried_then_dead_lettered_and_good_ones_are_not_redelivered(
    queues: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bus.publish([bus.Event("ThingHappened", {"fail": True}), bus.Event("ThingHappened", {"ok": 1})])
    _drain(queues["test-consumer"], monkeypatch)
    deliveries = [e["detail"]["data"] for e in flaky_consumer.seen]
    assert deliveries.count({"ok": 1}) == 1  # deleted after success, never seen again
    assert deliveries.count({"fail": True}) == CONSUMER.max_receive_count  # retried, then given up
    sqs = client("sqs")
    dlq_url = sqs.get_queue_url(QueueName=get_settings().queue_name("test-consumer-dlq"))["QueueUrl"]
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["detail"]["data"] for m in dead] == [{"fail": True}]


def test_the_pump_stops_without_waiting_for_long_polls_but_finishes_the_batch_in_hand(
    queues: dict[str, str],
) -> None:
    flaky_consumer.holding.clear()
    flaky_consumer.release.clear()
    running = pump.EventPump(queues, instances=2)  # one poller will hold the batch, the other long-polls
    running.start()
    try:
        bus.publish([bus.Event("ThingHappened", {"hold": True})])
        assert flaky_consumer.holding.wait(10)
        stopping = threading.Thread(target=running.stop, kwargs={"timeout": 30})
        stopping.start()
        stopping.join(0.5)
        assert stopping.is_alive()  # the batch in hand is not abandoned
        flaky_consumer.release.set()
        stopping.join(10)
        assert not stopping.is_alive()
        # ...and the idle poller, still in its long poll, did not hold the stop up
        assert any(thread.is_alive() for thread in running._threads)
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=queues["test-consumer"], AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"  # handled and deleted
    finally:
        running.stop(timeout=0)
        flaky_consumer.release.set()
        # Every poller gone before moto's mock is: a poll started after it would go to the real AWS.
        for thread in running._threads:
            thread.join(pump.LONG_POLL_SECONDS + 5)
        assert not any(thread.is_alive() for thread in running._threads)
