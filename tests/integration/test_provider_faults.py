"""The payment providers failing: a 500 from the provider at checkout leaves nothing reserved; a slow
provider still completes; EventBridge refusing the PaymentCompleted is repaired by redelivery."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import invariants
import pytest
import requests
from payment_support import bus_fixture, fan, gacha_on_sale, of_type, purchase, standins_fixture  # noqa: F401
from support import Api

from local.standins import Standins
from oshi.kernel.settings import reset_settings
from oshi.models.gachas import Gacha
from oshi.models.orders import Order


@contextmanager
def provider_proxy(target: str, *, status: int | None = None, delay: float = 0.0) -> Iterator[str]:
    """A stand-in for the stand-in: answers ``status`` (a provider outage) or forwards after ``delay``."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if status is not None:
                reply, code, kind = b'{"error":{"message":"provider down"}}', status, "application/json"
            else:
                time.sleep(delay)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                forwarded = requests.post(target + self.path, data=body, headers=headers, timeout=30)
                reply, code = forwarded.content, forwarded.status_code
                kind = forwarded.headers.get("Content-Type", "application/json")
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    saved = os.environ["OSHI_STRIPE_API_BASE"]
    os.environ["OSHI_STRIPE_API_BASE"] = f"http://127.0.0.1:{server.server_address[1]}"
    reset_settings()
    try:
        yield os.environ["OSHI_STRIPE_API_BASE"]
    finally:
        os.environ["OSHI_STRIPE_API_BASE"] = saved
        reset_settings()
        server.shutdown()


def test_a_provider_error_at_checkout_is_502_and_releases_everything(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api, total_stock=10)
    token = fan("fan-1")
    with provider_proxy(standins.stripe.url, status=500):
        failed = purchase(api, token, sale.gacha_id, count=10, key="k-1")
    assert (failed.status, failed.json()["error"]["code"]) == (502, "PAYMENT_PROVIDER_UNAVAILABLE")
    [order] = [o for o in Order.scan() if o.fan_id == "fan-1"]
    assert order.status == "FAILED" and order.reservation_released
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 0, "the stock reservation was given back"
    assert invariants.check_all(settled=True) == []

    retried = purchase(api, token, sale.gacha_id, count=10, key="k-2")
    assert retried.status == 201, retried.body
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 10


def test_a_slow_provider_still_completes_the_checkout(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api)
    with provider_proxy(standins.stripe.url, delay=2.0):
        response = purchase(api, fan("fan-1"), sale.gacha_id)
    assert response.status == 201 and response.json()["redirect_url"], response.body


def test_eventbridge_refusing_the_event_fails_the_webhook_and_redelivery_publishes_once(
    api: Api, standins: Standins, bus: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from oshi.commerce import webhooks
    from oshi.events import bus as event_bus  # not ``bus``: that is the capture fixture

    monkeypatch.setattr(webhooks, "LEASE", webhooks.LEASE * 0)  # the redelivery comes after the lease
    sale = gacha_on_sale(api)
    order_id = purchase(api, fan("fan-1"), sale.gacha_id).json()["order_id"]
    real_put = event_bus._put

    def refused(entries: list[dict[str, Any]]) -> None:
        raise event_bus.EventPublishFailed("1 of 1 entries failed")  # as _put raises on FailedEntryCount > 0

    monkeypatch.setattr(event_bus, "_put", refused)
    [(event_id, _, status)] = standins.stripe.pay(Order.get(order_id).provider_session_id, "success") or []
    assert status >= 500, "not acknowledged: the provider will redeliver"
    assert Order.get(order_id).status == "PAID" and of_type(bus, "PaymentCompleted") == []

    monkeypatch.setattr(event_bus, "_put", real_put)
    bus_capture: list[dict[str, Any]] = []
    monkeypatch.setattr(event_bus, "_put", lambda entries: (real_put(entries), bus_capture.extend(entries)))
    assert standins.stripe.deliver_event(standins.stripe.events[event_id]) == 200
    assert standins.stripe.deliver_event(standins.stripe.events[event_id]) == 200  # a duplicate
    # Each delivery of a payment whose order is still PAID announces it again (it cannot tell a crash
    # before the publish from a publish): always the one event id, which the consumer dedupes.
    assert {e["DetailType"] for e in bus_capture} == {"PaymentCompleted"}
    assert len({json.loads(e["Detail"])["metadata"]["event_id"] for e in bus_capture}) == 1
