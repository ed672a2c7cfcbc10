"""One release path (oshi.commerce.reservations.release): every way an order ends without a draw gives its
stock and spending back through it, exactly once, whatever races or repeats."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from payment_support import fan, gacha_on_sale, purchase, standins_fixture  # noqa: F401
from support import Api

from local.standins import Standins
from oshi.commerce import refunds, settlement
from oshi.kernel import clock
from oshi.kernel.errors import OrderNotRefundable
from oshi.models.gachas import Gacha
from oshi.models.orders import Order, OrderStatus
from oshi.models.payments import Spending


def _pending(api: Api) -> Order:
    sale = gacha_on_sale(api, total_stock=10)
    response = purchase(api, fan("fan-1"), sale.gacha_id)
    assert response.status == 201, response.body
    order = Order.get(response.json()["order_id"])
    assert int(Gacha.get(order.gacha_id).sold_draws) == 1
    assert int(Spending.get("fan-1", order.spend_period).spent) == int(order.amount)
    return order


def _released_once(order: Order) -> None:
    assert int(Gacha.get(order.gacha_id, consistent_read=True).sold_draws) == 0
    assert int(Spending.get("fan-1", order.spend_period, consistent_read=True).spent) == 0
    assert Order.get(order.order_id, consistent_read=True).reservation_released is True


def test_a_repeated_close_with_a_stale_read_gives_nothing_back_twice(api: Api, standins: Standins) -> None:
    order = _pending(api)
    stale = Order.get(order.order_id)  # read before the first close, as a retried delivery might hold it
    assert settlement.close_unpaid(order.order_id, OrderStatus.FAILED, "x", actor="t", order=stale) is True
    assert settlement.close_unpaid(order.order_id, OrderStatus.EXPIRED, "y", actor="t", order=stale) is False
    _released_once(order)
    assert Order.get(order.order_id).status == "FAILED"


def test_a_refund_after_an_expiry_gives_nothing_back_twice(api: Api, standins: Standins) -> None:
    order = _pending(api)
    pending = Order.get(order.order_id)
    refunds.mark_refunded(order.order_id, reason="x", actor="t", request_id=None, provider_refund_id=None)
    _released_once(order)
    assert (
        settlement.close_unpaid(order.order_id, OrderStatus.EXPIRED, "late", actor="t", order=pending)
        is False
    )
    _released_once(order)
    assert Order.get(order.order_id).status == "REFUNDED"


def test_the_sweeper_a_failure_webhook_and_a_refund_racing_release_exactly_once(
    api: Api, standins: Standins, atomic_moto: None
) -> None:
    order = _pending(api)
    start = threading.Barrier(6)

    def attempt(n: int) -> Any:
        start.wait()
        if n % 3 == 0:
            return settlement.sweep_expired(clock.utc_now() + timedelta(days=1))
        if n % 3 == 1:
            return settlement.close_unpaid(order.order_id, OrderStatus.FAILED, "payment.failed", actor="t")
        try:
            return refunds.mark_refunded(
                order.order_id, reason="x", actor="t", request_id=None, provider_refund_id=None
            ).status
        except OrderNotRefundable:
            return "not refundable"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    _released_once(order)
    final = Order.get(order.order_id, consistent_read=True).status
    closes = [o for o in outcomes if o is True or o == [order.order_id]]
    if final == "REFUNDED":
        assert closes == []
    else:
        assert final in ("FAILED", "EXPIRED") and len(closes) == 1, outcomes


@pytest.mark.parametrize("path", ["close_unpaid", "mark_refunded"])
def test_every_path_releases_through_the_one_function(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    from oshi.commerce import reservations

    calls: list[str] = []
    real = reservations.release

    def spy(txn: Any, order: Order, **kwargs: Any) -> bool:
        calls.append(order.order_id)
        return real(txn, order, **kwargs)

    monkeypatch.setattr(reservations, "release", spy)
    order = _pending(api)
    if path == "close_unpaid":
        settlement.close_unpaid(order.order_id, OrderStatus.EXPIRED, "x", actor="t")
    else:
        refunds.mark_refunded(order.order_id, reason="x", actor="t", request_id=None, provider_refund_id=None)
    assert calls == [order.order_id]
    _released_once(order)
