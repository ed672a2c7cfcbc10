"""Helpers for the purchase and webhook tests: stand-ins wired in-process, fans with birth dates, gachas
on sale, and a capture of what was published on the bus."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from support import Api, token_for
from vtuber_support import Vt, approved, gacha_body, validated_asset

from local.apigw import FakeLambdaContext
from local.pump import sqs_event
from local.standins import Standins
from local.standins.komoju_standin import KomojuStandin
from local.standins.stripe_standin import StripeStandin
from oshi.events import bus
from oshi.events.definitions import REFUND_DUE
from oshi.identity.principal import Role
from oshi.kernel.ids import new_id
from oshi.kernel.settings import reset_settings
from oshi.models.gachas import Gacha
from oshi.models.users import User
from oshi.web import topology


@pytest.fixture(name="standins")
def standins_fixture(api: Api) -> Iterator[Standins]:
    """Both stand-ins on free ports; their webhooks go through the in-process gateway dispatcher."""

    def deliver(path: str, body: bytes, headers: dict[str, str]) -> int:
        return api.call("POST", path, body=body, headers=headers).status

    stripe = StripeStandin("127.0.0.1", 0, deliver=deliver).start()
    komoju = KomojuStandin("127.0.0.1", 0, deliver=deliver).start()
    saved = {k: os.environ.get(k) for k in ("OSHI_STRIPE_API_BASE", "OSHI_KOMOJU_API_BASE")}
    os.environ["OSHI_STRIPE_API_BASE"] = stripe.url
    os.environ["OSHI_KOMOJU_API_BASE"] = komoju.url
    reset_settings()
    yield Standins(stripe, komoju)  # type: ignore[arg-type]
    stripe.stop()
    komoju.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_settings()


@pytest.fixture(name="bus")
def bus_fixture(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Everything published on the bus during the test: [{"type": ..., "detail": {...}}]."""
    sent: list[dict[str, Any]] = []
    real_put = bus._put

    def capture(entries: list[dict[str, Any]]) -> None:
        real_put(entries)
        sent.extend({"type": e["DetailType"], "detail": json.loads(e["Detail"])} for e in entries)

    monkeypatch.setattr(bus, "_put", capture)
    return sent


def of_type(bus: list[dict[str, Any]], detail_type: str) -> list[dict[str, Any]]:
    return [e["detail"] for e in bus if e["type"] == detail_type]


def fan(user_id: str = "fan-1", birth_date: str = "1990-04-01") -> str:
    """A fan account with a birth date (the spending cap depends on it) and its access token."""
    now = datetime.now(UTC)
    User(
        user_id,
        email=f"{user_id}@example.com",
        email_normalized=f"{user_id}@example.com",
        display_name=user_id,
        birth_date=birth_date,
        terms_version="1",
        terms_accepted_at=now,
        created_at=now,
        roles={"fan"},
        password_hash="not-a-login",
    ).save()
    return token_for(user_id, Role.FAN)


def birth_date_for_age(age: int) -> str:
    today = datetime.now(UTC).date()
    return today.replace(year=today.year - age - 1, month=1, day=1).isoformat()


@dataclass
class OnSale:
    gacha_id: str
    vt: Vt


def gacha_on_sale(
    api: Api, *, total_stock: int | None = None, user_id: str = "vt-1", **overrides: Any
) -> OnSale:
    vt = approved(api, user_id)
    asset = validated_asset(api, vt)
    response = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body([asset], publish=True, **overrides)
    )
    assert response.status == 201, response.body
    gacha_id = str(response.json()["gacha_id"])
    actions: list[Any] = [Gacha.starts_at.set(datetime.now(UTC) - timedelta(hours=1))]  # open the sale
    if total_stock is not None:
        actions.append(Gacha.total_stock.set(total_stock))
    Gacha(gacha_id).update(actions=actions)
    return OnSale(gacha_id, vt)


def purchase(
    api: Api,
    token: str,
    gacha_id: str,
    *,
    count: int = 1,
    provider: str = "stripe",
    method: str = "card",
    key: str | None = None,
) -> Any:
    return api.post(
        "/api/gacha/purchase",
        token=token,
        json_body={"gacha_id": gacha_id, "count": count, "provider": provider, "payment_method": method},
        headers={"Idempotency-Key": key} if key else None,
    )


# --- the refund consumer (RefundDue -> payment.refund) ---------------------------------------------------


REFUNDS = next(c for c in topology.CONSUMERS if c.handler == "payment.refund")


def run_refunds(sent: list[dict[str, Any]], *, receives: int = 1) -> set[str]:
    """Run the real refund consumer on one SQS batch of every ``RefundDue`` published so far (one message per
    order, as the consumer dedupes nothing but the order's state); ``receives`` is the delivery number.
    Returns the order ids whose message failed (SQS would redeliver them)."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from payment import refund

    due = {e["detail"]["data"]["order_id"]: e for e in sent if e["type"] == REFUND_DUE.detail_type}
    messages = {
        new_id(): (
            order_id,
            {
                "version": "0",
                "id": new_id(),
                "detail-type": event["type"],
                "source": "oshi.gacha",
                "detail": event["detail"],
            },
        )
        for order_id, event in due.items()
    }
    batch = [
        {
            "MessageId": message_id,
            "ReceiptHandle": "rh",
            "Body": json.dumps(envelope),
            "Attributes": {"ApproximateReceiveCount": str(receives)},
        }
        for message_id, (_, envelope) in messages.items()
    ]
    if not batch:
        return set()
    try:
        result = refund.handler(
            sqs_event(REFUNDS, REFUNDS.queue, batch), FakeLambdaContext(function_name="refunds")
        )
        failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
    except BatchProcessingError:  # every record failed: the invocation fails, SQS redelivers them all
        failed = set(messages)
    return {messages[m][0] for m in failed}


class RefundsDown:
    """A fault-injecting proxy in front of the Stripe stand-in: while ``down``, ``POST /v1/refunds`` answers
    503 (the provider refusing the refund); everything else is forwarded."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.down = True
        self.refused = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _forward(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if method == "POST" and self.path.startswith("/v1/refunds") and proxy.down:
                    proxy.refused += 1
                    reply, code = b'{"error":{"type":"api_error","message":"refunds unavailable"}}', 503
                    kind = "application/json"
                else:
                    headers = {
                        k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                    }
                    forwarded = requests.request(
                        method, proxy.target + self.path, data=body or None, headers=headers, timeout=30
                    )
                    reply, code = forwarded.content, forwarded.status_code
                    kind = forwarded.headers.get("Content-Type", "application/json")
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def do_POST(self) -> None:
                self._forward("POST")

            def do_GET(self) -> None:
                self._forward("GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self) -> RefundsDown:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.saved = os.environ["OSHI_STRIPE_API_BASE"]
        os.environ["OSHI_STRIPE_API_BASE"] = f"http://127.0.0.1:{self.server.server_address[1]}"
        reset_settings()
        return self

    def __exit__(self, *exc: object) -> None:
        os.environ["OSHI_STRIPE_API_BASE"] = self.saved
        reset_settings()
        self.server.shutdown()
