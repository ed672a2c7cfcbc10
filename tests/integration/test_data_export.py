"""APPI data export (issue 18): the request publishes an event; the consumer builds one JSON document of
everything about the fan, stores it in S3 and mails a short-lived signed link (once per event)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from draw_support import deliver, on_sale, paid_order
from payment_support import bus_fixture, of_type  # noqa: F401
from privacy import export
from support import Api, token_for

from local import mailbox
from local.apigw import FakeLambdaContext
from local.pump import sqs_event
from oshi.identity import refresh_tokens
from oshi.kernel.aws import client
from oshi.kernel.ids import new_id
from oshi.kernel.settings import get_settings
from oshi.models.users import User
from oshi.web import topology

pytestmark = pytest.mark.usefixtures("aws")
EXPORT = next(c for c in topology.CONSUMERS if c.handler == "privacy.export")


def _fan(user_id: str) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    User(
        user_id,
        email=f"{user_id}@example.com",
        email_normalized=f"{user_id}@example.com",
        display_name="Export Fan",
        birth_date="1990-04-01",
        terms_version="1",
        terms_accepted_at=now,
        created_at=now,
        roles={"fan"},
        password_hash="$2b$12$secret-hash-never-exported",
        mfa_secret="sealed-secret",
        email_verified=True,
    ).save()


def _deliver(event: dict[str, Any]) -> dict[str, Any]:
    body = {"detail-type": event["detail-type"], "source": "oshi.gacha", "detail": event["detail"]}
    message = {"MessageId": new_id(), "ReceiptHandle": "rh", "Body": json.dumps(body), "Attributes": {}}
    return dict(
        export.handler(sqs_event(EXPORT, EXPORT.queue, [message]), FakeLambdaContext(function_name="x"))
    )


def test_export_builds_one_document_and_mails_a_signed_link_once(api: Api, bus: list[dict[str, Any]]) -> None:
    _fan("fan-1")
    order = paid_order(on_sale(api), fan_id="fan-1", count=1)
    assert deliver(order) == set()
    refresh_tokens.start_family("fan-1", ["pwd"], client="Phone/1.0", ip="10.0.0.1")

    response = api.post("/api/me/export", token=token_for("fan-1"))
    assert response.status == 202
    export_id = response.json()["export_id"]
    [requested] = of_type(bus, "DataExportRequested")
    event = {
        "detail-type": "DataExportRequested",
        "detail": {"metadata": requested["metadata"], "data": requested["data"]},
    }
    assert _deliver(event) == {"batchItemFailures": []}
    assert _deliver(event) == {"batchItemFailures": []}  # a redelivery mails nothing more

    [mail] = mailbox.to("fan-1@example.com")
    link = mail.link("exports/fan-1/")
    assert int(parse_qs(urlsplit(link).query)["X-Amz-Expires"][0]) == 3600
    key = f"exports/fan-1/{export_id}.json"
    raw = client("s3").get_object(Bucket=get_settings().content_bucket, Key=key)["Body"].read()
    doc = json.loads(raw)
    assert doc["profile"]["email"] == "fan-1@example.com"
    assert "secret-hash" not in raw.decode() and "sealed-secret" not in raw.decode()
    assert [o["order_id"] for o in doc["orders"]] == [order.order_id]
    assert doc["orders"][0]["results"]["proof"]  # results with their proofs
    assert doc["rewards"] and doc["medal_balances"] and doc["medal_ledger"]
    assert [s["client"] for s in doc["sessions"]] == ["Phone/1.0"]
    assert any(a["action"] == "privacy.export_requested" for a in doc["audit"])
    assert set(doc) >= {"trades", "downloads"}


def test_export_requests_are_limited_per_account(api: Api, bus: list[dict[str, Any]]) -> None:
    _fan("fan-1")
    token = token_for("fan-1")
    assert [api.post("/api/me/export", token=token).status for _ in range(4)] == [202, 202, 202, 429]
