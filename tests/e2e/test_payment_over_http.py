"""Purchase and payment over HTTP against the local stack: the stand-ins' checkout pages and their signed
webhooks delivered to the gateway, for Stripe (card) and KOMOJU (konbini, asynchronous capture)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import requests
from e2e_support import LocalStack, verify_email

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]
SETTLED = ("PAID", "FULFILLED")  # the draw service may already have fulfilled it


def standin_url(stack: LocalStack, name: str) -> str:
    for line in stack.output:
        parts = line.split()
        if parts[:1] == [name] and parts[-1] == "(stand-in)":
            return parts[1]
    raise LookupError(f"no {name} stand-in in the summary")


def wait_for_status(http: requests.Session, stack: LocalStack, order_id: str, token: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        body: dict[str, Any] = http.get(
            f"{stack.api_url}/api/gacha/orders/{order_id}", headers={"Authorization": f"Bearer {token}"}
        ).json()
        if body["status"] != "PENDING_PAYMENT" or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def buy(http: requests.Session, stack: LocalStack, token: str, provider: str, method: str) -> dict[str, Any]:
    response = http.post(
        f"{stack.api_url}/api/gacha/purchase",
        json={"gacha_id": stack.demo_gacha_id(), "count": 1, "provider": provider, "payment_method": method},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def new_fan(http: requests.Session, stack: LocalStack) -> str:
    """A fan of our own (the demo fan may have orders pending from other tests)."""
    email, password = f"pay-{uuid.uuid4().hex[:8]}@example.com", "Correct-horse-9"
    registered = http.post(
        f"{stack.api_url}/api/auth/register",
        json={
            "email": email,
            "password": password,
            "display_name": "Payer",
            "birth_date": "1995-05-05",
            "terms_version": "2026-11",
            "accept_terms": True,
        },
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    verify_email(stack, email)  # buying needs a verified address: the link from the local mailbox
    login = http.post(
        f"{stack.api_url}/api/auth/login", json={"email": email, "password": password}, timeout=10
    )
    return str(login.json()["tokens"]["access_token"])


def test_stripe_card_and_komoju_konbini_over_http(local_stack: LocalStack, http: requests.Session) -> None:
    token = new_fan(http, local_stack)
    stripe_url, komoju_url = standin_url(local_stack, "Stripe"), standin_url(local_stack, "KOMOJU")

    order = buy(http, local_stack, token, "stripe", "card")
    assert order["redirect_url"].startswith(f"{stripe_url}/checkout/")
    page = http.get(order["redirect_url"])
    assert page.status_code == 200 and "success" in page.text  # the demo checkout page
    session_id = order["redirect_url"].rsplit("/", 1)[1]
    paid = http.post(f"{stripe_url}/_demo/pay/{session_id}", data={"outcome": "success"}).json()
    assert [(d["type"], d["status"]) for d in paid["delivered"]] == [("checkout.session.completed", 200)]
    assert wait_for_status(http, local_stack, order["order_id"], token)["status"] in SETTLED

    konbini = buy(http, local_stack, token, "komoju", "konbini")
    assert konbini["redirect_url"].startswith(f"{komoju_url}/sessions/")
    session_id = konbini["redirect_url"].split("/")[-2]
    paid = http.post(f"{komoju_url}/_demo/pay/{session_id}", data={"outcome": "async_success"}).json()
    assert [(d["type"], d["status"]) for d in paid["delivered"]] == [
        ("payment.authorized", 200),
        ("payment.captured", 200),
    ]
    assert wait_for_status(http, local_stack, konbini["order_id"], token)["status"] in SETTLED

    history = http.get(
        f"{local_stack.api_url}/api/gacha/orders", headers={"Authorization": f"Bearer {token}"}
    )
    assert {o["order_id"] for o in history.json()["items"]} >= {order["order_id"], konbini["order_id"]}


def test_an_unsigned_webhook_is_refused_over_http(local_stack: LocalStack, http: requests.Session) -> None:
    response = http.post(
        f"{local_stack.api_url}/api/payment/webhooks/stripe",
        data=b'{"id":"evt_forged","type":"checkout.session.completed"}',
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
