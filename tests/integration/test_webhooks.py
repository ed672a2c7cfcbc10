"""Provider webhooks: signatures, exactly-once effects under redelivery and concurrency, ordering,
amount mismatches, crash repair, late payments, refunds, and the reservation sweeper."""

from __future__ import annotations

import json
import sys
import threading
import time
import types
from datetime import UTC, datetime, timedelta
from typing import Any

import invariants
import pytest
from payment_support import (
    bus_fixture,  # noqa: F401
    fan,
    gacha_on_sale,
    of_type,
    purchase,
    run_refunds,
    standins_fixture,  # noqa: F401
)
from support import Api, audit_day, audit_log

from local.standins import Standins, defaults
from local.standins.komoju_standin import sign as komoju_sign
from local.standins.stripe_standin import sign as stripe_sign
from oshi import audit
from oshi.commerce import settlement
from oshi.commerce.payments import adapter_for
from oshi.models.audit import AuditEntry
from oshi.models.gachas import Gacha
from oshi.models.orders import Order, ProviderEvent

STRIPE = defaults.STRIPE_WEBHOOK_PATH
KOMOJU = defaults.KOMOJU_WEBHOOK_PATH


def pending_order(api: Api, provider: str = "stripe", method: str = "card", **sale: Any) -> Order:
    on_sale = gacha_on_sale(api, **sale)
    response = purchase(api, fan(), on_sale.gacha_id, provider=provider, method=method)
    assert response.status == 201, response.body
    return Order.get(response.json()["order_id"])


def stripe_completed(standins: Standins, order: Order, **changes: Any) -> dict[str, Any]:
    session = {
        **standins.stripe._public(standins.stripe.sessions[str(order.provider_session_id)]),
        "payment_status": "paid",
        "payment_intent": "pi_test_1",
        **changes,
    }
    return standins.stripe.event("checkout.session.completed", session)


def audit_actions() -> list[str]:
    return [entry.action for entry in audit_log()]


@pytest.mark.parametrize(
    "case",
    ["missing header", "wrong secret", "stale timestamp", "future timestamp", "body changed", "garbage"],
)
def test_stripe_signature_failures_are_400_and_change_nothing(
    api: Api, standins: Standins, bus: list[dict[str, Any]], case: str
) -> None:
    order = pending_order(api)
    body = json.dumps(stripe_completed(standins, order)).encode()
    secret, now = defaults.STRIPE_WEBHOOK_SECRET, int(time.time())
    headers = {"Content-Type": "application/json", "Stripe-Signature": stripe_sign(body, secret)}
    if case == "missing header":
        del headers["Stripe-Signature"]
    elif case == "wrong secret":
        headers["Stripe-Signature"] = stripe_sign(body, "whsec_someone_else")
    elif case == "stale timestamp":
        headers["Stripe-Signature"] = stripe_sign(body, secret, now - 301)
    elif case == "future timestamp":
        headers["Stripe-Signature"] = stripe_sign(body, secret, now + 3600)
    elif case == "body changed":
        body = body.replace(b'"amount_total": 300', b'"amount_total": 30')
    else:
        headers["Stripe-Signature"] = "t=abc,v1=zz"
    response = api.post(STRIPE, body=body, headers=headers)
    assert response.status == 400 and response.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
    assert Order.get(order.order_id).status == "PENDING_PAYMENT"
    assert list(ProviderEvent.scan()) == [] and of_type(bus, "PaymentCompleted") == []
    assert "payment.webhook_rejected" in audit_actions()


@pytest.mark.parametrize("case", ["missing header", "wrong secret", "body changed"])
def test_komoju_signature_failures_are_400_and_change_nothing(
    api: Api, standins: Standins, case: str
) -> None:
    order = pending_order(api, provider="komoju")
    payment = {
        "id": "pay1",
        "status": "captured",
        "amount": 300,
        "currency": "JPY",
        "external_order_num": order.order_id,
    }
    body = json.dumps(standins.komoju.event("payment.captured", payment)).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Komoju-Signature": komoju_sign(body, defaults.KOMOJU_WEBHOOK_SECRET),
    }
    if case == "missing header":
        del headers["X-Komoju-Signature"]
    elif case == "wrong secret":
        headers["X-Komoju-Signature"] = komoju_sign(body, "not-the-secret")
    else:
        body = body.replace(b'"amount": 300', b'"amount": 3')
    response = api.post(KOMOJU, body=body, headers=headers)
    assert response.status == 400
    assert Order.get(order.order_id).status == "PENDING_PAYMENT" and list(ProviderEvent.scan()) == []


def test_the_same_event_delivered_five_times_concurrently_publishes_once(
    api: Api, standins: Standins, bus: list[dict[str, Any]], atomic_moto: None
) -> None:
    order = pending_order(api)
    event = stripe_completed(standins, order)
    statuses: list[int] = []

    def deliver() -> None:
        statuses.append(standins.stripe.deliver_event(event))

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One delivery does the work; the others see it finished (200) or still in progress (409: retry).
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}
    assert standins.stripe.deliver_event(event) == 200  # a later redelivery: acknowledged, no effect
    # A duplicate of a payment whose order is still PAID publishes again (it cannot tell a crash before
    # the publish from a publish): always the one event id, which the fulfilment consumer dedupes.
    published = of_type(bus, "PaymentCompleted")
    assert len({e["metadata"]["event_id"] for e in published}) == 1 and len(published) >= 1
    assert Order.get(order.order_id).status == "PAID"
    assert ProviderEvent.get(f"stripe:{event['id']}").outcome == "applied"
    assert audit_actions().count("order.paid") == 1


def test_many_concurrent_payments_all_succeed_and_the_audit_chain_verifies_once_chained(
    api: Api, standins: Standins, bus: list[dict[str, Any]], atomic_moto: None
) -> None:
    """Issue 21: the audit append used to read the chain's tail and race for the next sequence number
    (8 attempts, then a 500). Entries now go to the outbox with the payment, so no webhook waits for the
    chain; the chainer (here three at once, as a stream batch and the sweep could) orders them after."""
    sale = gacha_on_sale(api, total_stock=100)
    events = []
    for n in range(24):
        response = purchase(api, fan(f"fan-{n}"), sale.gacha_id)
        assert response.status == 201, response.body
        events.append(stripe_completed(standins, Order.get(response.json()["order_id"])))
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda e=e: statuses.append(standins.stripe.deliver_event(e))) for e in events
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(events)
    paid = [o for o in Order.scan() if o.status == "PAID"]
    assert len(paid) == len(events) and len(of_type(bus, "PaymentCompleted")) == len(events)
    assert invariants.check_audit() == []  # nothing chained yet is nothing broken
    chainers = [threading.Thread(target=audit.chain_pending) for _ in range(3)]
    for thread in chainers:
        thread.start()
    for thread in chainers:
        thread.join()
    assert invariants.check_audit_chained(paid) == []  # outbox empty, one order.paid each, chain intact
    [day] = {e.partition for e in AuditEntry.scan()}
    entries = audit_day(day)
    assert [int(e.seq) for e in entries] == list(range(1, len(entries) + 1))
    assert sum(e.action == "order.paid" for e in entries) == len(events)


def test_expired_after_completed_leaves_the_order_paid(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    order = pending_order(api, total_stock=10)
    assert standins.stripe.deliver_event(stripe_completed(standins, order)) == 200
    session = standins.stripe._public(standins.stripe.sessions[str(order.provider_session_id)])
    assert standins.stripe.deliver_event(standins.stripe.event("checkout.session.expired", session)) == 200
    after = Order.get(order.order_id)
    assert after.status == "PAID" and not after.reservation_released
    assert int(Gacha.get(order.gacha_id).sold_draws) == 1
    assert len(of_type(bus, "PaymentCompleted")) == 1


def test_completed_but_unpaid_konbini_waits_and_async_success_pays_once(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    order = pending_order(api, method="konbini")
    delivered = standins.stripe.pay(str(order.provider_session_id), "async_success") or []
    assert [s for _, _, s in delivered] == [200, 200]
    assert Order.get(order.order_id).status == "PAID"
    assert len(of_type(bus, "PaymentCompleted")) == 1
    assert ProviderEvent.get(f"stripe:{delivered[0][0]}").outcome == "awaiting"


def test_amount_mismatch_is_not_fulfilled_is_audited_and_alerts(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    order = pending_order(api, total_stock=10)
    delivered = standins.stripe.pay(str(order.provider_session_id), "success", amount=1) or []
    assert [s for _, _, s in delivered] == [200]
    after = Order.get(order.order_id)
    assert after.status == "FAILED" and after.failure_reason == "amount_mismatch"
    assert int(Gacha.get(order.gacha_id).sold_draws) == 0
    assert of_type(bus, "PaymentCompleted") == []
    alert = of_type(bus, "PaymentMismatch")
    assert len(alert) == 1 and alert[0]["data"]["order_id"] == order.order_id
    assert alert[0]["data"]["expected"]["amount"] == 300 and alert[0]["data"]["received"]["amount"] == 1
    assert "payment.amount_mismatch" in audit_actions()
    assert (
        invariants.check_all() == []
    )  # the money received is owed back (tests/.../test_automatic_refunds.py)


def test_a_crash_between_paid_and_publish_is_repaired_by_redelivery(
    api: Api, standins: Standins, bus: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    order = pending_order(api)
    event = stripe_completed(standins, order)
    real = settlement.publish_completed

    def crash(_: Order) -> None:
        raise RuntimeError("the function died before the publish")

    monkeypatch.setattr(settlement, "publish_completed", crash)
    assert standins.stripe.deliver_event(event) == 500
    # The one write committed: PAID, the event finished with its outcome, the audit entry in the outbox.
    assert Order.get(order.order_id).status == "PAID" and of_type(bus, "PaymentCompleted") == []
    assert ProviderEvent.get(f"stripe:{event['id']}").outcome == "applied"

    monkeypatch.setattr(settlement, "publish_completed", real)
    assert standins.stripe.deliver_event(event) == 200  # a duplicate of a payment still PAID: republished
    assert len(of_type(bus, "PaymentCompleted")) == 1
    assert audit_actions().count("order.paid") == 1
    assert invariants.check_audit_chained([Order.get(order.order_id)]) == []


def test_a_payment_after_the_order_expired_is_refunded_not_fulfilled(
    api: Api, standins: Standins, bus: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    order = pending_order(api, total_stock=10)
    assert settlement.sweep_expired(datetime.now(UTC) + timedelta(days=1)) == [order.order_id]
    assert settlement.sweep_expired(datetime.now(UTC) + timedelta(days=1)) == []  # released once
    assert int(Gacha.get(order.gacha_id).sold_draws) == 0
    monkeypatch.setattr(standins.stripe, "later", lambda fn: None)  # keep the refund webhook out of it
    delivered = standins.stripe.pay(str(order.provider_session_id), "success") or []
    assert [s for _, _, s in delivered] == [200]
    after = Order.get(order.order_id)
    assert after.status == "EXPIRED" and after.refund_due == "1"
    assert ProviderEvent.get(f"stripe:{delivered[0][0]}").outcome == "late_payment_refund_due"
    assert of_type(bus, "PaymentCompleted") == []
    assert [a["data"]["reason"] for a in of_type(bus, "PaymentMismatch")] == ["late_payment"]
    assert invariants.check_all() == []  # owed, on the pending-refund list
    assert run_refunds(bus) == set()  # the refund consumer, not the webhook, refunds it
    assert len(standins.stripe.refunds) == 1 and Order.get(order.order_id).status == "REFUNDED"
    assert invariants.check_all() == []


def test_sweeper_handler_expires_only_orders_past_their_payment_window(api: Api, standins: Standins) -> None:
    from local.apigw import FakeLambdaContext
    from payment.sweep import handler

    order = pending_order(api, total_stock=10)
    assert handler({}, FakeLambdaContext(function_name="sweep")) == {"expired": 0}
    Order(order.order_id).update(
        actions=[Order.payment_expires_at.set(datetime.now(UTC) - timedelta(minutes=1))]
    )
    assert handler({}, FakeLambdaContext(function_name="sweep")) == {"expired": 1}
    assert Order.get(order.order_id).status == "EXPIRED"
    assert int(Gacha.get(order.gacha_id).sold_draws) == 0


def test_provider_refund_webhooks_call_mark_refunded(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []
    fake = types.ModuleType("oshi.commerce.refunds")
    fake.mark_refunded = lambda order_id, **kw: calls.append((order_id, kw))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "oshi.commerce.refunds", fake)
    monkeypatch.setattr(standins.stripe, "later", lambda fn: fn())
    monkeypatch.setattr(standins.komoju, "later", lambda fn: fn())

    stripe_order = pending_order(api)
    standins.stripe.pay(str(stripe_order.provider_session_id), "success")
    outcome = adapter_for("stripe").refund(
        Order.get(stripe_order.order_id), reason="admin", idempotency_key="r-1"
    )
    assert outcome.status == "refunded" and outcome.provider_refund_id

    komoju_order = pending_order(api, provider="komoju", user_id="vt-2")
    standins.komoju.pay(str(komoju_order.provider_session_id), "success")
    outcome = adapter_for("komoju").refund(
        Order.get(komoju_order.order_id), reason="admin", idempotency_key="r-2"
    )
    assert outcome.status == "refunded" and outcome.provider_refund_id

    assert [order_id for order_id, _ in calls] == [stripe_order.order_id, komoju_order.order_id]
    assert calls[0][1]["actor"] == "provider:stripe" and calls[0][1]["provider_refund_id"] == outcome_id(
        standins
    )
    assert (
        calls[1][1]["actor"] == "provider:komoju"
        and calls[1][1]["provider_refund_id"] == outcome.provider_refund_id
    )


def outcome_id(running: Standins) -> str:
    return next(iter(running.stripe.refunds))


def test_konbini_refunds_are_requests_for_a_bank_transfer(api: Api, standins: Standins) -> None:
    order = pending_order(api, provider="komoju", method="konbini")
    standins.komoju.pay(str(order.provider_session_id), "async_success")
    outcome = adapter_for("komoju").refund(Order.get(order.order_id), reason="admin", idempotency_key="r-3")
    assert outcome.status == "requested" and outcome.provider_refund_id is None


def test_a_payment_transaction_conflicting_with_a_concurrent_one_is_409_and_changes_nothing(
    api: Api, standins: Standins, bus: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB cancels a transaction touching an item another transaction holds (TransactionConflict):
    a concurrent delivery of the same payment. The provider is asked to retry, as for a held claim."""
    from pynamodb.exceptions import CancellationReason, TransactWriteError

    from oshi.kernel.txn import Txn

    class Conflict(TransactWriteError):
        cancellation_reasons = [CancellationReason(code="TransactionConflict")]  # type: ignore[assignment]

    order = pending_order(api)
    event = stripe_completed(standins, order)
    real = Txn.commit

    def conflicting(self: Txn) -> None:
        raise Conflict("Transaction cancelled")

    monkeypatch.setattr(Txn, "commit", conflicting)
    response = standins.stripe.deliver_event(event)
    assert response == 409
    assert Order.get(order.order_id).status == "PENDING_PAYMENT" and of_type(bus, "PaymentCompleted") == []
    monkeypatch.setattr(Txn, "commit", real)
    assert standins.stripe.deliver_event(event) == 200  # the retry
    assert Order.get(order.order_id).status == "PAID" and len(of_type(bus, "PaymentCompleted")) == 1
