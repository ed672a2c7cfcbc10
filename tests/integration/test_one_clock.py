"""One clock: moving ``oshi.kernel.clock.now`` moves every business rule's "now", including the rules that
used to read the system clock themselves (access tokens and MFA challenges, the webhook claim lease and the
Stripe future-timestamp check, the audit log's day, WebSocket connection TTLs, the sign-up birth-date check).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from payment_support import (
    bus_fixture,  # noqa: F401
    fan,
    gacha_on_sale,
    of_type,
    purchase,
    standins_fixture,  # noqa: F401
)
from support import Api, audit_day, token_for

from local.standins import Standins, defaults
from local.standins.stripe_standin import sign as stripe_sign
from oshi import audit
from oshi.commerce import settlement, webhooks
from oshi.fulfilment import notifications
from oshi.identity import tokens
from oshi.identity.principal import Role
from oshi.models.orders import Order, ProviderEvent


class Clock:
    def __init__(self, at: float) -> None:
        self.now = at

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The one clock, moved 30 days ahead of the system clock (so a rule still reading the system clock
    would disagree by a month)."""
    fake = Clock(float(int(time.time()) + 30 * 24 * 3600))
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: fake.now)
    return fake


# --- identity ----------------------------------------------------------------------------------------------
def test_access_tokens_are_issued_and_expire_by_the_clock(api: Api, clock: Clock) -> None:
    token = token_for("fan-1", Role.FAN)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iat"] == claims["nbf"] == int(clock.now)
    assert claims["exp"] == int(clock.now) + tokens.ACCESS_TOKEN_SECONDS
    assert tokens.verify_access_token(token).user_id == "fan-1"  # a month "early" by the system clock

    clock.advance(tokens.ACCESS_TOKEN_SECONDS - 1)
    assert tokens.verify_access_token(token).user_id == "fan-1"
    clock.advance(1 + tokens.LEEWAY_SECONDS)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify_access_token(token)
    response = api.get("/api/me", token=token)  # the authorizer reads the same clock
    assert (response.status, response.json()["error"]["code"]) == (401, "UNAUTHORIZED")


def test_a_token_from_the_clocks_future_is_not_yet_valid(aws: None, clock: Clock) -> None:
    token = token_for("fan-1", Role.FAN)
    clock.advance(-60)
    with pytest.raises(tokens.InvalidToken, match="not yet valid"):
        tokens.verify_access_token(token)


def test_mfa_challenges_expire_by_the_clock(aws: None, clock: Clock) -> None:
    challenge = tokens.issue_mfa_challenge("fan-1")
    clock.advance(tokens.MFA_CHALLENGE_SECONDS - 1)
    assert tokens.verify_mfa_challenge(challenge) == "fan-1"
    clock.advance(1 + tokens.LEEWAY_SECONDS)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify_mfa_challenge(challenge)


def test_the_birth_date_at_sign_up_is_checked_against_the_clock(api: Api, clock: Clock) -> None:
    clock.now = datetime(2031, 6, 1, tzinfo=UTC).timestamp()
    body = {
        "email": "born-in-2030@example.com",
        "password": "Correct-horse-9",
        "display_name": "Hoshi",
        "birth_date": "2030-01-01",  # in the future by the system clock, in the past by the one clock
        "terms_version": "2026-11",
        "accept_terms": True,
    }
    response = api.post("/api/auth/register", json_body=body)
    assert response.status == 201, response.body
    clock.now = datetime(2029, 6, 1, tzinfo=UTC).timestamp()
    refused = api.post("/api/auth/register", json_body={**body, "email": "too-early@example.com"})
    assert (refused.status, refused.json()["error"]["code"]) == (422, "VALIDATION_FAILED")


# --- audit and notifications -------------------------------------------------------------------------------
def test_audit_entries_are_dated_and_partitioned_by_the_clock(aws: None, clock: Clock) -> None:
    clock.now = datetime(2031, 3, 4, 23, 59, 30, tzinfo=UTC).timestamp()
    entry = audit.record("system", "test.clock", "clock/1")
    assert entry.day == "2031-03-04" and entry.at == datetime(2031, 3, 4, 23, 59, 30, tzinfo=UTC)
    clock.advance(60)
    assert audit.record("system", "test.clock", "clock/2").day == "2031-03-05"
    assert [e.target for e in audit_day("2031-03-04")] == ["clock/1"]


def test_websocket_connections_expire_by_the_clock(aws: None, clock: Clock) -> None:
    connection = notifications.connect("c-clock=", token_for("fan-1", Role.FAN))
    assert int(connection.connected_at) == int(clock.now)
    expected = datetime.fromtimestamp(int(clock.now) + notifications.CONNECTION_TTL_SECONDS, UTC)
    assert connection.expires_at == expected


# --- commerce ----------------------------------------------------------------------------------------------
def _pending_order(api: Api) -> Order:
    on_sale = gacha_on_sale(api)
    response = purchase(api, fan(), on_sale.gacha_id)
    assert response.status == 201, response.body
    return Order.get(response.json()["order_id"])


def _completed(standins: Standins, order: Order) -> dict[str, Any]:
    session = {
        **standins.stripe._public(standins.stripe.sessions[str(order.provider_session_id)]),
        "payment_status": "paid",
        "payment_intent": "pi_test_1",
    }
    return standins.stripe.event("checkout.session.completed", session)


def test_a_crashed_webhook_claim_is_taken_over_when_the_clock_passes_its_lease(
    api: Api, standins: Standins, bus: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    order = _pending_order(api)  # bought by the system clock: the clock is moved only below
    event = _completed(standins, order)
    real = settlement.publish_completed

    def crash(_: Order) -> None:
        raise RuntimeError("the function died before the publish")

    start = time.time()
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: start)
    monkeypatch.setattr(webhooks, "_payable", lambda *_: False)  # the step-by-step path holds a lease
    monkeypatch.setattr(settlement, "publish_completed", crash)
    assert standins.stripe.deliver_event(event) == 500
    monkeypatch.setattr(settlement, "publish_completed", real)
    lease = webhooks.LEASE.total_seconds()
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: start + lease - 5)
    assert standins.stripe.deliver_event(event) == 409  # still leased by the clock
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: start + lease + 1)
    assert standins.stripe.deliver_event(event) == 200  # the lease ran out by the clock
    assert len(of_type(bus, "PaymentCompleted")) == 1
    assert ProviderEvent.get(f"stripe:{event['id']}").outcome == "republished"


def test_the_stripe_future_timestamp_rule_reads_the_clock(
    api: Api, standins: Standins, bus: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    order = _pending_order(api)
    body = json.dumps(_completed(standins, order)).encode()
    ahead = int(time.time()) + 3600  # an hour ahead of the system clock: refused by it
    signed = {
        "Content-Type": "application/json",
        "Stripe-Signature": stripe_sign(body, defaults.STRIPE_WEBHOOK_SECRET, ahead),
    }
    path = defaults.STRIPE_WEBHOOK_PATH
    assert api.call("POST", path, body=body, headers=signed).status == 400
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: ahead - 1.0)
    assert api.call("POST", path, body=body, headers=signed).status == 200
    assert Order.get(order.order_id).status == "PAID"
    assert ProviderEvent.get(f"stripe:{json.loads(body)['id']}").received_at == datetime.fromtimestamp(
        ahead - 1.0, UTC
    )


def test_spending_caps_are_dated_by_the_clock(aws: None, clock: Clock) -> None:
    from oshi.commerce import spending
    from oshi.models.payments import CAP_PERIOD, Spending

    spending.set_own_cap("fan-1", 3000)
    assert Spending.get("fan-1", CAP_PERIOD).updated_at == datetime.fromtimestamp(clock.now, UTC)
    assert spending.period_of(datetime.fromtimestamp(clock.now, UTC)) == (
        datetime.fromtimestamp(clock.now, UTC) + timedelta(hours=9)
    ).strftime("%Y-%m")
