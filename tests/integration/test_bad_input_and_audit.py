"""The common error shape for bad input, and the audit log's hash chain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel
from support import audit_day

from local.apigw import FakeLambdaContext, rest_event
from oshi import audit
from oshi.web.api import Endpoint
from oshi.web.routes import Route


class EchoIn(BaseModel):
    name: str
    count: int


@pytest.fixture
def echo(aws: None, monkeypatch: pytest.MonkeyPatch) -> Endpoint:
    """A throwaway POST route built exactly like the real ones, to exercise body handling (on moto: a
    signed-in handler reads the caller's revocation marker)."""
    route = Route("POST", "/api/echo", "tests.echo", "echo")
    monkeypatch.setattr("oshi.web.api.route_for_handler", lambda _: route)
    endpoint = Endpoint("tests.echo")

    @endpoint
    def post_echo(body: EchoIn) -> EchoIn:
        return body

    return endpoint


def _post(endpoint: Endpoint, body: str, content_type: str = "application/json") -> tuple[int, dict]:
    import json

    event = rest_event(
        endpoint.route,
        body=body,
        headers={"Content-Type": content_type},
        authorizer={"user_id": "u", "roles": "fan", "mfa": "false"},
    )
    result = endpoint.lambda_handler(event, FakeLambdaContext())
    return result["statusCode"], json.loads(result["body"])


def test_valid_body_is_accepted(echo: Endpoint) -> None:
    assert _post(echo, '{"name": "a", "count": 2}') == (200, {"name": "a", "count": 2})


def test_malformed_json_is_400_invalid_json(echo: Endpoint) -> None:
    status, body = _post(echo, '{"name": ')
    assert status == 400
    assert body["error"]["code"] == "INVALID_JSON"


def test_validation_failure_is_422_listing_the_fields(echo: Endpoint) -> None:
    status, body = _post(echo, '{"count": "many"}')
    assert status == 422
    assert body["error"]["code"] == "VALIDATION_FAILED"
    assert {d["field"] for d in body["error"]["details"]} == {"name", "count"}


def test_wrong_content_type_is_415(echo: Endpoint) -> None:
    status, body = _post(echo, "name=a", content_type="application/x-www-form-urlencoded")
    assert (status, body["error"]["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_oversized_body_is_413(echo: Endpoint) -> None:
    status, body = _post(echo, '{"name": "' + "x" * 70_000 + '", "count": 1}')
    assert (status, body["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")


def test_unexpected_error_is_a_500_that_leaks_nothing(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    route = Route("GET", "/api/boom", "tests.boom", "boom")
    monkeypatch.setattr("oshi.web.api.route_for_handler", lambda _: route)
    endpoint = Endpoint("tests.boom")

    @endpoint
    def boom() -> dict:
        raise RuntimeError("secret table name oshi-prod-users")

    event = rest_event(route, authorizer={"user_id": "u", "roles": "fan"}, request_id="req-123")
    result = endpoint.lambda_handler(event, FakeLambdaContext())
    assert result["statusCode"] == 500
    assert "oshi-prod-users" not in result["body"]
    assert '"request_id":"req-123"' in result["body"]


def test_audit_entries_chain_and_tampering_is_detected(aws: None) -> None:
    day = datetime(2026, 11, 29, 12, tzinfo=UTC)
    first = audit.record(
        "admin-1",
        "vtuber.approved",
        "vtuber/v1",
        before={"status": "pending"},
        after={"status": "approved"},
        now=day,
    )
    second = audit.record("system", "order.refunded", "order/o1", now=day)
    assert first.entry_id < second.entry_id  # the outbox's order is the chain's order
    entries = list(audit_day("2026-11-29"))  # chains what is pending first
    assert [(e.seq, e.action) for e in entries] == [(1, "vtuber.approved"), (2, "order.refunded")]
    assert entries[1].prev_hash == entries[0].hash
    assert audit.verify_chain(entries) == []

    tampered = entries[0]
    tampered.after = {"status": "rejected"}
    tampered.save()
    problems = audit.verify_chain(list(audit_day("2026-11-29")))
    assert problems == ["seq 1: content does not match its hash"]


def test_concurrent_audit_appends_all_land_in_one_unbroken_chain(aws: None, atomic_moto: None) -> None:
    from concurrent.futures import ThreadPoolExecutor

    day = datetime(2026, 11, 30, tzinfo=UTC)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: audit.record("system", "test.append", f"n/{n}", now=day), range(8)))
    entries = list(audit_day("2026-11-30"))
    assert [int(e.seq) for e in entries] == list(range(1, 9))
    assert audit.verify_chain(entries) == []


def test_unauthenticated_caller_gets_401_before_any_body_validation(echo: Endpoint) -> None:
    import json

    event = rest_event(echo.route, body='{"count": "many"}', headers={"Content-Type": "application/json"})
    result = echo.lambda_handler(event, FakeLambdaContext())
    assert result["statusCode"] == 401
    assert json.loads(result["body"])["error"]["code"] == "UNAUTHORIZED"
