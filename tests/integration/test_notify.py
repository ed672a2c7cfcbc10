"""WebSocket notifications: $connect / $disconnect handlers and the notify consumer (issue 6)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from support import token_for

import gacha.notify
import gacha.ws_connect
import gacha.ws_disconnect
from local.apigw import FakeLambdaContext
from local.websocket import connection_event
from oshi.events.definitions import DrawnPrize, GachaCompletedData, OrderRefundedData
from oshi.fulfilment import notifications
from oshi.identity import tokens
from oshi.identity.principal import Caller, Role
from oshi.kernel.settings import reset_settings
from oshi.models.connections import Connection

ENDPOINT = "https://ws.example/test"


class FakeManagementApi:
    """postToConnection as API Gateway answers it: 410 GoneException for closed connections."""

    def __init__(self, gone: set[str] = frozenset(), failing: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.gone, self.failing = set(gone), set(failing)
        self.posted: list[tuple[str, dict[str, Any]]] = []

    def post_to_connection(self, *, ConnectionId: str, Data: bytes) -> dict[str, Any]:
        if ConnectionId in self.gone:
            raise ClientError(
                {
                    "Error": {"Code": "GoneException", "Message": ""},
                    "ResponseMetadata": {"HTTPStatusCode": 410},
                },
                "PostToConnection",
            )
        if ConnectionId in self.failing:
            raise ClientError(
                {
                    "Error": {"Code": "LimitExceededException", "Message": ""},
                    "ResponseMetadata": {"HTTPStatusCode": 429},
                },
                "PostToConnection",
            )
        self.posted.append((ConnectionId, json.loads(Data)))
        return {}


@pytest.fixture
def endpoint(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OSHI_WEBSOCKET_ENDPOINT", ENDPOINT)
    reset_settings()
    yield
    monkeypatch.delenv("OSHI_WEBSOCKET_ENDPOINT")
    reset_settings()


def use(monkeypatch: pytest.MonkeyPatch, fake: FakeManagementApi) -> FakeManagementApi:
    seen: list[str] = []

    def management_client(url: str) -> FakeManagementApi:
        seen.append(url)
        assert url == ENDPOINT
        return fake

    monkeypatch.setattr(notifications, "management_client", management_client)
    return fake


def connect(token: str | None) -> tuple[str, dict[str, Any]]:
    connection_id = f"c-{uuid.uuid4().hex[:10]}="
    query = {"token": token} if token is not None else None
    result = gacha.ws_connect.handler(connection_event("$connect", connection_id, query), FakeLambdaContext())
    return connection_id, result


def sqs_record(detail_type: str, data: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
    body = {
        "detail-type": detail_type,
        "source": "oshi.gacha",
        "detail": {"metadata": {"event_id": f"ev-{uuid.uuid4().hex[:8]}", "version": "1"}, "data": data},
    }
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "rh",
        "body": json.dumps(body),
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:oshi-test-notify",
        "awsRegion": "ap-northeast-1",
    }


def completed(order_id: str, fan_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """GachaCompleted data as the fulfilment publishes it (without ``fan_id`` if None), plus ``extra``
    fields a newer producer might add (consumers keep and forward them)."""
    data = GachaCompletedData(
        order_id=order_id,
        gacha_id="g-1",
        vtuber_id="v-1",
        count=1,
        results=[DrawnPrize(prize_id="p01", name="N prize", rarity="N")],
        **({"fan_id": fan_id} if fan_id else {}),
    )
    return {**data.model_dump(mode="json", exclude_unset=True), **extra}


def refunded(order_id: str, fan_id: str) -> dict[str, Any]:
    data = OrderRefundedData(
        order_id=order_id,
        fan_id=fan_id,
        gacha_id="g-1",
        vtuber_id="v-1",
        amount=300,
        provider="stripe",
        reason="admin",
        medals_clawed_back=1,
        medals_unrecovered=0,
    )
    return data.model_dump(mode="json")


def notify(*records: dict[str, Any]) -> dict[str, Any]:
    return gacha.notify.handler({"Records": list(records)}, FakeLambdaContext())


def test_connect_stores_the_fans_connection_with_a_ttl(aws: None) -> None:
    before = time.time()
    connection_id, result = connect(token_for("fan-1", Role.FAN))
    assert result["statusCode"] == 200
    stored = Connection.get(connection_id)
    assert stored.user_id == "fan-1"
    expires = stored.expires_at.timestamp()
    assert (
        before + notifications.CONNECTION_TTL_SECONDS - 5
        <= expires
        <= time.time() + notifications.CONNECTION_TTL_SECONDS
    )
    assert notifications.connections_of("fan-1") == [connection_id]


@pytest.mark.parametrize("token", [None, "", "not-a-jwt"])
def test_connect_without_a_valid_access_token_is_refused(aws: None, token: str | None) -> None:
    connection_id, result = connect(token)
    assert result["statusCode"] == 401
    with pytest.raises(Connection.DoesNotExist):
        Connection.get(connection_id)


def test_connect_refuses_a_refresh_or_expired_token(aws: None) -> None:
    expired = tokens.issue_access_token(
        Caller(user_id="fan-1", roles=frozenset({Role.FAN}), mfa=False), amr=["pwd"], now=time.time() - 86400
    )
    assert connect(expired)[1]["statusCode"] == 401
    assert notifications.connections_of("fan-1") == []


def test_disconnect_deletes_the_connection_and_is_idempotent(aws: None) -> None:
    connection_id, _ = connect(token_for("fan-1", Role.FAN))
    event = connection_event("$disconnect", connection_id)
    assert gacha.ws_disconnect.handler(event, FakeLambdaContext())["statusCode"] == 200
    assert gacha.ws_disconnect.handler(event, FakeLambdaContext())["statusCode"] == 200
    assert notifications.connections_of("fan-1") == []


def test_gacha_completed_reaches_every_connection_of_that_fan_only(
    endpoint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = use(monkeypatch, FakeManagementApi())
    first, _ = connect(token_for("fan-1", Role.FAN))
    second, _ = connect(token_for("fan-1", Role.FAN))
    other, _ = connect(token_for("fan-2", Role.FAN))
    data = completed("ord-1", "fan-1", status="FULFILLED")
    assert notify(sqs_record("GachaCompleted", data)) == {"batchItemFailures": []}
    assert sorted(cid for cid, _ in fake.posted) == sorted([first, second])
    message = fake.posted[0][1]
    assert message["type"] == "GachaCompleted"
    assert message["order_id"] == "ord-1"
    assert message["event_id"].startswith("ev-")
    assert message["data"] == {k: v for k, v in data.items() if k != "fan_id"}  # no fan id
    assert message["data"]["status"] == "FULFILLED"  # a field the consumer does not know passes through
    assert other not in {cid for cid, _ in fake.posted}


def test_gone_connections_are_deleted_and_the_rest_still_notified(
    endpoint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, _ = connect(token_for("fan-1", Role.FAN))
    dead, _ = connect(token_for("fan-1", Role.FAN))
    fake = use(monkeypatch, FakeManagementApi(gone={dead}))
    assert notify(sqs_record("OrderRefunded", refunded("ord-2", "fan-1"))) == {"batchItemFailures": []}
    assert [cid for cid, _ in fake.posted] == [live]
    assert fake.posted[0][1]["type"] == "OrderRefunded"
    assert notifications.connections_of("fan-1") == [live]


def test_a_failing_post_is_retried_alone(endpoint: None, monkeypatch: pytest.MonkeyPatch) -> None:
    throttled, _ = connect(token_for("fan-1", Role.FAN))
    fine, _ = connect(token_for("fan-2", Role.FAN))
    fake = use(monkeypatch, FakeManagementApi(failing={throttled}))
    result = notify(
        sqs_record("GachaCompleted", completed("o1", "fan-1"), message_id="m-fail"),
        sqs_record("GachaCompleted", completed("o2", "fan-2"), message_id="m-ok"),
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-fail"}]}
    assert [cid for cid, _ in fake.posted] == [fine]
    assert notifications.connections_of("fan-1") == [throttled]  # not gone: kept for the retry


def test_the_fan_is_found_through_the_order_when_the_event_does_not_name_them(
    endpoint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oshi.models.orders import Order

    now = datetime.now(UTC)
    Order(
        order_id="ord-9",
        fan_id="fan-9",
        gacha_id="g",
        vtuber_id="v",
        count=1,
        amount=300,
        medals_per_draw=1,
        provider="stripe",
        status="FULFILLED",
        created_at=now,
        updated_at=now,
    ).save()
    connection_id, _ = connect(token_for("fan-9", Role.FAN))
    fake = use(monkeypatch, FakeManagementApi())
    notify(sqs_record("GachaCompleted", completed("ord-9")))  # no fan_id in the event
    assert [cid for cid, _ in fake.posted] == [connection_id]


def test_nothing_is_posted_without_connections_or_for_other_events(
    endpoint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = use(monkeypatch, FakeManagementApi())
    connect(token_for("fan-1", Role.FAN))
    assert notify(
        sqs_record("GachaCompleted", completed("o", "nobody-connected")),
        sqs_record("PaymentCompleted", {"order_id": "o", "fan_id": "fan-1"}),
    ) == {"batchItemFailures": []}
    assert fake.posted == []


def test_a_huge_result_is_truncated_to_a_hint(endpoint: None, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = use(monkeypatch, FakeManagementApi())
    connect(token_for("fan-1", Role.FAN))
    results = [{"prize_id": f"p{i:02d}", "name": "x" * 1000, "rarity": "N"} for i in range(100)]
    notify(sqs_record("GachaCompleted", {**completed("o-big", "fan-1"), "results": results}))
    message = fake.posted[0][1]
    assert message["order_id"] == "o-big" and message["data"] == {"truncated": True}


def test_a_malformed_event_fails_its_record_and_is_retried(
    endpoint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed with the declared model: a GachaCompleted without its order is not silently dropped; its
    record fails (retried, then the DLQ and its alarm) and the batch's other records are delivered."""
    fake = use(monkeypatch, FakeManagementApi())
    connection_id, _ = connect(token_for("fan-1", Role.FAN))
    broken = {k: v for k, v in completed("o-1", "fan-1").items() if k != "order_id"}
    result = notify(
        sqs_record("GachaCompleted", broken, message_id="m-bad"),
        sqs_record("GachaCompleted", completed("o-2", "fan-1"), message_id="m-ok"),
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
    assert [(cid, m["order_id"]) for cid, m in fake.posted] == [(connection_id, "o-2")]
