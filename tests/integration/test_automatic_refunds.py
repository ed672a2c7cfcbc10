"""Money received for an order that will not be fulfilled is refunded automatically: a late payment, a
mismatched one, retried with backoff until the provider confirms, then escalated (the refunds queue's
DLQ and the admins' pending-refund list). An event from one provider about another's order changes
nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import invariants
import pytest
from payment_support import (
    REFUNDS,
    RefundsDown,
    bus_fixture,  # noqa: F401
    fan,
    gacha_on_sale,
    of_type,
    purchase,
    run_refunds,
    standins_fixture,  # noqa: F401
)
from support import Api, audit_log, token_for
from vtuber_support import admin

from local import pump
from local.provision import create_events
from local.pump import deliver_once
from local.standins import Standins, defaults
from local.standins.komoju_standin import sign as komoju_sign
from oshi.commerce import settlement
from oshi.identity.principal import Role
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.gachas import Gacha
from oshi.models.orders import Order, ProviderEvent

PENDING = "/api/admin/refunds/pending"


def pending_order(api: Api, provider: str = "stripe", **sale: Any) -> Order:
    on_sale = gacha_on_sale(api, **sale)
    response = purchase(api, fan(), on_sale.gacha_id, provider=provider)
    assert response.status == 201, response.body
    return Order.get(response.json()["order_id"])


def expired(api: Api) -> Order:
    """A Stripe order whose payment window passed (the sweeper expired it, stock released)."""
    order = pending_order(api, total_stock=10)
    assert settlement.sweep_expired(datetime.now(UTC) + timedelta(days=1)) == [order.order_id]
    return Order.get(order.order_id)


def actions_on(order_id: str) -> list[str]:
    return sorted(e.action for e in audit_log() if e.target == f"order:{order_id}")


def pending_ids(api: Api) -> list[str]:
    response = api.get(PENDING, token=admin())
    assert response.status == 200, response.body
    return [item["order_id"] for item in response.json()["items"]]


@pytest.fixture(autouse=True)
def refund_webhooks_inline(standins: Standins, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-ins send their refund webhooks at once (not on a timer), so the test sees them settle."""
    monkeypatch.setattr(standins.stripe, "later", lambda fn: fn())
    monkeypatch.setattr(standins.komoju, "later", lambda fn: fn())


def test_a_late_payment_is_refunded_after_the_provider_refused_twice(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    order = expired(api)
    with RefundsDown(standins.stripe.url) as provider:
        delivered = standins.stripe.pay(str(order.provider_session_id), "success") or []
        assert [s for _, _, s in delivered] == [200], "the webhook never waits for the refund"
        owing = Order.get(order.order_id)
        assert owing.status == "EXPIRED" and owing.refund_due == "1"
        assert (owing.received_amount, owing.received_currency) == (300, "JPY")
        assert owing.refund_due_reason == "late_payment"
        assert ProviderEvent.get(f"stripe:{delivered[0][0]}").outcome == "late_payment_refund_due"
        assert [e["data"]["order_id"] for e in of_type(bus, "RefundDue")] == [order.order_id]
        assert of_type(bus, "PaymentCompleted") == []
        assert invariants.check_all() == []  # owed and listed: not stuck

        assert run_refunds(bus, receives=1) == {order.order_id}
        assert run_refunds(bus, receives=2) == {order.order_id}
        refused = Order.get(order.order_id)
        assert refused.status == "EXPIRED" and int(refused.refund_attempts) == 2
        assert refused.refund_last_error and refused.refund_escalated_at is None
        assert pending_ids(api) == [order.order_id]
        assert provider.refused >= 2 and standins.stripe.refunds == {}
        # A redelivery of the payment meanwhile is acknowledged and changes nothing.
        assert standins.stripe.deliver_event(standins.stripe.events[delivered[0][0]]) == 200

        provider.down = False
        assert run_refunds(bus, receives=3) == set()

    refunded = Order.get(order.order_id)
    assert refunded.status == "REFUNDED" and refunded.refund_due is None
    # Refunded by our call; the provider's charge.refunded webhook may record it first (same refund).
    assert (refunded.refund_reason or "").startswith("late_payment") and refunded.provider_refund_id
    assert len(standins.stripe.refunds) == 1, "one refund at the provider"
    assert int(Gacha.get(order.gacha_id).sold_draws) == 0  # released once, by the expiry
    assert actions_on(order.order_id) == [
        "order.expired",
        "order.refund_due",
        "order.refund_failed",
        "order.refund_failed",
        "order.refunded",
        "payment.late_payment",
    ]
    # Every webhook (the payment, its redelivery, the provider's charge.refunded) was answered 2xx.
    assert [s for _, _, s in standins.stripe.deliveries] == [200, 200, 200]
    assert [e["data"]["order_id"] for e in of_type(bus, "OrderRefunded")] == [order.order_id]
    assert pending_ids(api) == []
    assert run_refunds(bus, receives=4) == set() and len(standins.stripe.refunds) == 1  # idempotent
    assert invariants.check_all() == []


def test_a_refund_refused_past_the_retry_budget_is_dead_lettered_and_listed_for_an_admin(
    api: Api, standins: Standins, bus: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    queues = create_events(get_settings())  # the bus rules and queues, as the local stack has them
    monkeypatch.setattr(pump, "RETRY_BACKOFF_SECONDS", 0)  # moto keeps visibility in real time
    order = expired(api)
    with RefundsDown(standins.stripe.url) as provider:
        assert [s for _, _, s in standins.stripe.pay(str(order.provider_session_id), "success") or []] == [
            200
        ]
        for _ in range(REFUNDS.max_receive_count + 2):
            deliver_once(REFUNDS, queues[REFUNDS.queue], wait_seconds=0)
        assert provider.refused >= REFUNDS.max_receive_count

        sqs = client("sqs")
        dlq = sqs.get_queue_url(QueueName=get_settings().queue_name(f"{REFUNDS.queue}-dlq"))["QueueUrl"]
        dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
        assert [json.loads(m["Body"])["detail"]["data"]["order_id"] for m in dead] == [order.order_id]

        escalated = Order.get(order.order_id)
        assert escalated.status == "EXPIRED" and escalated.refund_due == "1"
        assert int(escalated.refund_attempts) == REFUNDS.max_receive_count
        assert escalated.refund_escalated_at is not None
        assert "order.refund_escalated" in actions_on(order.order_id)

        assert api.get(PENDING, token=token_for("fan-1", Role.FAN)).status == 403
        assert api.get(PENDING, token=token_for("admin-1", Role.FAN, Role.ADMIN)).status == 403  # no MFA
        response = api.get(PENDING, token=admin())
        assert response.status == 200, response.body
        [item] = response.json()["items"]
        assert item["order_id"] == order.order_id and item["escalated"] is True
        assert (item["reason"], item["amount"], item["currency"]) == ("late_payment", 300, "JPY")
        assert item["attempts"] == REFUNDS.max_receive_count and item["last_error"]
        assert item["status"] == "EXPIRED" and item["provider"] == "stripe"
        assert invariants.check_all() == []  # the money is held, but on the pending list

        provider.down = False
        refund = api.post(
            f"/api/admin/orders/{order.order_id}/refund", token=admin(), json_body={"reason": "by hand"}
        )
        assert refund.status == 200, refund.body
    assert Order.get(order.order_id).status == "REFUNDED"
    assert pending_ids(api) == [] and len(standins.stripe.refunds) == 1
    assert invariants.check_all() == []


@pytest.mark.parametrize(
    ("changes", "reason"), [({"amount": 1}, "amount_mismatch"), ({"amount": 5000}, "amount_mismatch")]
)
def test_a_mismatched_payment_is_refunded_automatically(
    api: Api, standins: Standins, bus: list[dict[str, Any]], changes: dict[str, Any], reason: str
) -> None:
    order = pending_order(api, total_stock=10)
    delivered = standins.stripe.pay(str(order.provider_session_id), "success", **changes) or []
    assert [s for _, _, s in delivered] == [200]
    failed = Order.get(order.order_id)
    assert failed.status == "FAILED" and failed.failure_reason == reason
    assert failed.refund_due == "1" and failed.received_amount == changes["amount"]
    assert int(Gacha.get(order.gacha_id).sold_draws) == 0 and of_type(bus, "PaymentCompleted") == []
    [alert] = of_type(bus, "PaymentMismatch")
    assert alert["data"]["reason"] == reason and alert["data"]["refund"] == "due"
    assert invariants.check_all() == []

    assert run_refunds(bus) == set()
    refunded = Order.get(order.order_id)
    assert refunded.status == "REFUNDED" and (refunded.refund_reason or "").startswith(reason)
    [at_provider] = standins.stripe.refunds.values()
    assert at_provider["amount"] == changes["amount"], "what arrived goes back, not the order's price"
    assert actions_on(order.order_id) == ["order.failed", "order.refunded", f"payment.{reason}"]
    audit = next(e for e in audit_log() if e.action == f"payment.{reason}")
    assert audit.after["refund"] == "due" and audit.after["amount"] == changes["amount"]
    assert invariants.check_all() == []


def test_a_currency_mismatch_is_refunded_with_its_own_reason(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    order = pending_order(api, provider="komoju", total_stock=10)
    payment = {
        "id": "pay_usd",
        "status": "captured",
        "amount": 300,
        "currency": "USD",
        "external_order_num": order.order_id,
        "payment_details": {"type": "credit_card"},
    }
    assert standins.komoju.deliver_event(standins.komoju.event("payment.captured", payment)) == 200
    failed = Order.get(order.order_id)
    assert failed.status == "FAILED" and failed.failure_reason == "currency_mismatch"
    assert (failed.received_amount, failed.received_currency) == (300, "USD")
    assert [e["data"]["reason"] for e in of_type(bus, "RefundDue")] == ["currency_mismatch"]
    assert "payment.currency_mismatch" in actions_on(order.order_id)
    assert pending_ids(api) == [order.order_id]
    assert invariants.check_all() == []


def _komoju_post(api: Api, event: dict[str, Any]) -> Any:
    body = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Komoju-Signature": komoju_sign(body, defaults.KOMOJU_WEBHOOK_SECRET),
    }
    return api.post(defaults.KOMOJU_WEBHOOK_PATH, body=body, headers=headers)


@pytest.mark.parametrize("event_type", ["payment.captured", "payment.failed", "payment.expired"])
def test_an_event_from_the_other_provider_is_ignored_audited_and_the_order_stays_payable(
    api: Api, standins: Standins, bus: list[dict[str, Any]], event_type: str
) -> None:
    order = pending_order(api, total_stock=10)  # placed with Stripe
    payment = {
        "id": "pay_elsewhere",
        "status": event_type.split(".")[1],
        "amount": 300,
        "currency": "JPY",
        "external_order_num": order.order_id,
    }
    response = _komoju_post(api, standins.komoju.event(event_type, payment))
    assert response.status == 200, response.body
    assert response.json() == {"received": True, "outcome": "ignored", "reason": "provider_mismatch"}
    unchanged = Order.get(order.order_id)
    assert unchanged.status == "PENDING_PAYMENT" and unchanged.version == order.version
    assert unchanged.refund_due is None and not unchanged.reservation_released
    assert int(Gacha.get(order.gacha_id).sold_draws) == 1
    assert of_type(bus, "PaymentMismatch") == [] and of_type(bus, "RefundDue") == []
    [entry] = [e for e in audit_log() if e.action == "payment.provider_mismatch"]
    assert entry.target == f"order:{order.order_id}"

    delivered = standins.stripe.pay(str(order.provider_session_id), "success") or []
    assert [s for _, _, s in delivered] == [200]
    assert Order.get(order.order_id).status == "PAID"
    assert [e["data"]["order_id"] for e in of_type(bus, "PaymentCompleted")] == [order.order_id]
    assert invariants.check_all(settled=False) == []
