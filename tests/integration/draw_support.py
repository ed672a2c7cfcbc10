"""Helpers for the draw tests: a gacha on sale, PAID orders written directly, SQS deliveries of
PaymentCompleted shaped like the pump's, and a fake provider refund."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from payment_support import OnSale, gacha_on_sale
from support import Api

from local.apigw import FakeLambdaContext
from local.pump import sqs_event
from oshi.commerce import settlement
from oshi.commerce.payments.base import RefundOutcome
from oshi.fulfilment import fulfil
from oshi.kernel.ids import new_id
from oshi.models.gachas import Gacha
from oshi.models.orders import Order
from oshi.web import topology

FULFILMENT = next(c for c in topology.CONSUMERS if c.queue == "fulfilment")


def on_sale(api: Api, **overrides: Any) -> OnSale:
    fulfil.forget_configs()
    return gacha_on_sale(api, **overrides)


def paid_order(
    sale: OnSale,
    *,
    fan_id: str = "fan-1",
    count: int = 10,
    client_seed: str | None = None,
    paid_minutes_ago: int = 0,
) -> Order:
    gacha = Gacha.get(sale.gacha_id)
    now = datetime.now(UTC)
    paid_at = now - timedelta(minutes=paid_minutes_ago)
    order = Order(
        new_id(),
        fan_id=fan_id,
        gacha_id=sale.gacha_id,
        vtuber_id=gacha.vtuber_id,
        count=count,
        amount=int(gacha.price_ten if count == 10 else gacha.price_single),
        medals_per_draw=int(gacha.medals_per_draw),
        provider="stripe",
        payment_method="card",
        status="PAID",
        client_seed=client_seed,
        created_at=paid_at,
        updated_at=paid_at,
        paid_at=paid_at,
    )
    order.save()
    Gacha(sale.gacha_id).update(actions=[Gacha.sold_draws.add(count)])  # the purchase's reservation
    return order


def message(order: Order, receives: int = 1, message_id: str | None = None) -> dict[str, Any]:
    """The SQS message of the order's PaymentCompleted, built by ``oshi.commerce.settlement`` itself."""
    event = settlement.payment_completed_event(order)
    assert event.event_id == f"payment-completed-{order.order_id}"
    envelope = {
        "version": "0",
        "id": new_id(),
        "detail-type": event.detail_type,
        "source": "oshi.gacha",
        "detail": event.detail(),
    }
    return {
        "MessageId": message_id or new_id(),
        "ReceiptHandle": "rh",
        "Body": json.dumps(envelope),
        "Attributes": {"ApproximateReceiveCount": str(receives)},
    }


def deliver(*orders: Order, receives: int = 1) -> set[str]:
    """Run the real consumer on one SQS batch; returns the failed message ids."""
    from gacha import fulfil

    messages = [message(o, receives) for o in orders]
    try:
        result = fulfil.handler(
            sqs_event(FULFILMENT, "fulfilment", messages), FakeLambdaContext(function_name="f")
        )
    except BatchProcessingError:  # every record failed: the invocation fails, SQS redelivers them all
        return {m["MessageId"] for m in messages}
    return {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}


class FakeRefunds:
    def __init__(self, status: str = "refunded") -> None:
        self.status = status
        self.calls: list[tuple[str, str, str]] = []

    def refund(self, order: Order, *, reason: str, idempotency_key: str) -> RefundOutcome:
        self.calls.append((order.order_id, reason, idempotency_key))
        if self.status == "failed":
            return RefundOutcome("failed", None, "card_declined")
        return RefundOutcome(self.status, f"re_{order.order_id}", "ok")  # type: ignore[arg-type]


@pytest.fixture(name="provider")
def provider_fixture(monkeypatch: pytest.MonkeyPatch) -> FakeRefunds:
    import oshi.commerce.payments

    fake = FakeRefunds()
    monkeypatch.setattr(oshi.commerce.payments, "adapter_for", lambda provider: fake)
    return fake
