"""Faults injected into every DynamoDB call of the money paths; the invariants hold once retries finish.

For each flow, the k-th DynamoDB call fails once, either before it reaches DynamoDB (throttled after the
SDK's retries) or after DynamoDB applied it (the response is lost: a crash between two steps). Then the
flow is retried the way the real system retries it: the client repeats its request with the same
Idempotency-Key, the provider redelivers its webhook, SQS redelivers the message, the admin repeats the
refund. Afterwards ``invariants.check_all`` must find nothing, and the outcome must be exactly one
fulfilment, trade or refund.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import invariants
import pytest
from draw_support import deliver, on_sale
from exchange_support import create_item, give_medals, shop, trade
from exchange_support import fan as exchange_fan
from fault_support import TEST_READS, Fault, injected, retry
from payment_support import fan, purchase, standins_fixture  # noqa: F401
from support import Api
from vtuber_support import admin

from bench.dynamodb_calls import count_dynamodb_calls
from local.standins import Standins
from oshi import audit
from oshi.commerce import webhooks
from oshi.fulfilment import fulfil
from oshi.models.orders import Order
from oshi.models.rewards import MedalBalance


def assert_invariants(paid: tuple[Order, ...] = ()) -> None:
    assert invariants.check_all(settled=True) == []
    audit.chain_pending()  # the chainer's sweep (the flows' own chaining runs under the faults)
    assert invariants.check_audit_chained(paid) == []


# --- purchase -> webhook -> fulfilment ----------------------------------------------------------------
def _purchase_pay_and_draw(api: Api, standins: Standins, gacha_id: str, token: str) -> str:
    response = retry(
        lambda: purchase(api, token, gacha_id, key="checkout-1"), lambda r: r.status in (200, 201)
    )
    order_id = response.json()["order_id"]
    with TEST_READS():
        session_id = Order.get(order_id).provider_session_id
    delivered = standins.stripe.pay(session_id, "success")
    assert delivered is not None
    for event_id, _, status in delivered:
        if status != 200:  # the provider redelivers until it gets a 2xx
            event = standins.stripe.events[event_id]
            retry(lambda event=event: standins.stripe.deliver_event(event), lambda s: s == 200)
    with TEST_READS():
        order = Order.get(order_id)
    retry(lambda: deliver(order, receives=2), lambda failed: failed == set())  # SQS redelivers the message
    retry(audit.chain_pending, lambda _: True)  # the audit chainer: the stream retries a failed batch
    return order_id


def _calls_in_checkout(api: Api, standins: Standins) -> int:
    sale = on_sale(api, user_id="vt-count")
    token = fan("fan-count")
    with injected(Fault(-1, "before")) as counting:  # never fires: counts the flow's own calls
        _purchase_pay_and_draw(api, standins, sale.gacha_id, token)
    return counting.seen


CHECKOUT_CALLS = 18  # the flow's DynamoDB calls: the caller's revocation marker 1, purchase 3, webhook 2, fulfilment 2 (+ its cold config and campaigns), their audits, the audit chainer 5
_counted: list[int] = []


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("k", range(CHECKOUT_CALLS))
def test_checkout_survives_a_fault_at_every_call(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch, k: int, when: str
) -> None:
    monkeypatch.setattr(webhooks, "LEASE", timedelta(0))  # the redelivery comes "after the lease"
    if not _counted:  # once per worker: the flow is deterministic
        _counted.append(_calls_in_checkout(api, standins))
    assert _counted[0] == CHECKOUT_CALLS, f"the checkout now makes {_counted[0]} calls: update CHECKOUT_CALLS"
    sale = on_sale(api)
    fulfil.forget_configs()
    token = fan("fan-1")
    with injected(Fault(k, when)) as fault:
        order_id = _purchase_pay_and_draw(api, standins, sale.gacha_id, token)
    assert fault.fired
    order = Order.get(order_id)
    assert order.status == "FULFILLED" and len(order.drawn_items()) == 1
    assert len([o for o in Order.scan() if o.fan_id == "fan-1"]) == 1, "one order for one checkout"
    assert int(MedalBalance.get("fan-1", order.vtuber_id).balance) == int(order.medals_per_draw)
    assert_invariants(paid=(order,))  # its order.paid entry chained exactly once


# --- exchange trade -------------------------------------------------------------------------------------
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("k", range(2))  # the trade makes 2 calls (1 when the item is cached)
def test_a_trade_survives_a_fault_at_every_call(api: Api, k: int, when: str) -> None:
    s = shop(api)
    item = create_item(api, s, cost=3)
    give_medals("fan-1", s.vt.vtuber_id, 10)
    token = exchange_fan("fan-1")
    with count_dynamodb_calls() as calls, injected(Fault(k, when)) as fault:
        retry(lambda: trade(api, token, item["item_id"], key="trade-1"), lambda r: r.status in (200, 201))
    if not fault.fired:
        pytest.skip(f"the trade makes {calls.total} calls")
    assert int(MedalBalance.get("fan-1", s.vt.vtuber_id).balance) == 7, "traded exactly once"
    assert_invariants()


# --- admin refund ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("k", range(5))  # the refund makes 5 calls (its audit entry is in its transaction)
def test_a_refund_survives_a_fault_at_every_call(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch, k: int, when: str
) -> None:
    monkeypatch.setattr(webhooks, "LEASE", timedelta(0))
    sale = on_sale(api)
    order_id = _purchase_pay_and_draw(api, standins, sale.gacha_id, fan("fan-1"))
    path = f"/api/admin/orders/{order_id}/refund"
    later: list[Any] = []  # the provider's refund webhook: sent once the refund call has returned
    monkeypatch.setattr(standins.stripe, "later", later.append)
    with count_dynamodb_calls() as calls, injected(Fault(k, when)) as fault:
        retry(
            lambda: api.post(path, token=admin(), json_body={"reason": "fan request"}),
            lambda r: r.status == 200,
        )
    for send in later:  # the provider redelivers until it gets a 2xx
        event_id, _, status = send()
        if status != 200:
            event = standins.stripe.events[event_id]
            retry(lambda event=event: standins.stripe.deliver_event(event), lambda s: s == 200)
    if not fault.fired:
        pytest.skip(f"the refund makes {calls.total} calls")
    order = Order.get(order_id)
    assert order.status == "REFUNDED"
    assert int(MedalBalance.get("fan-1", order.vtuber_id).balance) == 0
    assert len(standins.stripe.refunds) == 1, "one refund at the provider, however often it was retried"
    assert_invariants()


# --- draw formats (issue 20): the box's state and log, the ceiling counter --------------------------------
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("k", range(12))  # a cold fulfilment makes about 10 calls; the warm one 2
@pytest.mark.parametrize("kind", ["box", "ceiling"])
def test_a_box_or_ceiling_fulfilment_survives_a_fault_at_every_call(
    api: Api, kind: str, k: int, when: str
) -> None:
    from draw_support import paid_order
    from formats_support import box_on_sale, ceiling_on_sale

    if kind == "box":  # three single buyers empty a box of 3: the last one takes the last-one prize
        sale = box_on_sale(api, (1, 2))
        orders = [paid_order(sale, fan_id=f"fan-{i}", count=1) for i in range(3)]
    else:  # a single, then a 10-draw with two ceiling slots (draws 4 and 8)
        sale = ceiling_on_sale(api, 4)
        orders = [paid_order(sale, count=1), paid_order(sale, count=10)]
    with count_dynamodb_calls() as calls, injected(Fault(k, when)) as fault:
        for order in orders:
            retry(lambda order=order: deliver(order, receives=2), lambda failed: failed == set())
    if not fault.fired:
        pytest.skip(f"the fulfilments make {calls.total} calls")
    for order in orders:
        assert Order.get(order.order_id).status == "FULFILLED"
    assert_invariants()


# --- campaigns (issue 20): the first 10-draw discount's claim and a multiplied medal credit --------------
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("k", range(CHECKOUT_CALLS + 1))
def test_a_discounted_multiplied_checkout_survives_a_fault_at_every_call(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch, k: int, when: str
) -> None:
    from datetime import UTC, datetime

    monkeypatch.setattr(webhooks, "LEASE", timedelta(0))
    sale = on_sale(api)
    now = datetime.now(UTC)
    for body in (
        {"kind": "first_ten_discount", "price_ten": 1500},
        {"kind": "medal_multiplier", "multiplier": 3},
    ):
        created = api.post(
            "/api/vtuber/campaigns",
            token=sale.vt.token,
            json_body={
                "title": "campaign",
                "gacha_id": sale.gacha_id,
                "starts_at": (now + timedelta(minutes=11)).isoformat(),
                "ends_at": (now + timedelta(days=1)).isoformat(),
                **body,
            },
        )
        assert created.status == 201, created.body
    from oshi.kernel import clock

    real_now = clock.now  # 20 minutes on, still moving (the webhook's lease compares times)
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: real_now() + 20 * 60)
    fulfil.forget_configs()
    token = fan("fan-1")

    def checkout() -> str:
        response = retry(
            lambda: api.post(
                "/api/gacha/purchase",
                token=token,
                json_body={
                    "gacha_id": sale.gacha_id,
                    "count": 10,
                    "provider": "stripe",
                    "payment_method": "card",
                },
                headers={"Idempotency-Key": "checkout-10"},
            ),
            lambda r: r.status in (200, 201),
        )
        order_id = str(response.json()["order_id"])
        with TEST_READS():
            session_id = Order.get(order_id).provider_session_id
        for event_id, _, status in standins.stripe.pay(session_id, "success") or []:
            if status != 200:
                event = standins.stripe.events[event_id]
                retry(lambda event=event: standins.stripe.deliver_event(event), lambda s: s == 200)
        with TEST_READS():
            order = Order.get(order_id)
        retry(lambda: deliver(order, receives=2), lambda failed: failed == set())
        return order_id

    with injected(Fault(k, when)) as fault:
        order_id = checkout()
    if not fault.fired:
        pytest.skip("the discounted checkout makes fewer calls")
    order = Order.get(order_id)
    assert order.status == "FULFILLED" and int(order.amount) == 1500
    assert int(order.medals_awarded) == 10 * int(order.medals_per_draw) * 3
    assert len([o for o in Order.scan() if o.fan_id == "fan-1"]) == 1, "one order for one checkout"
    assert_invariants()


# --- sharded stock (issue 21): a purchase spilling from a full shard, and the sweeper's release -----------
# The purchase (revocation marker, batch read, the full shard's transaction with the rate limit, the
# shards' read, the second transaction, the session update) and the sweeper's expiry (index query, order
# read, the release transaction, the pending claim, the audit outbox put): every call, before and after it
# is applied. 17 calls in all (23 before the audit outbox and the rate limit moved into transactions).
SHARDED_CALLS = 17  # k beyond this fires in no call of the flow (skipped)


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("k", range(SHARDED_CALLS))
def test_a_sharded_spill_and_its_expiry_survive_a_fault_at_every_call(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch, k: int, when: str
) -> None:
    from datetime import UTC, datetime

    from test_stock_shards import shard_sold, sharded_on_sale

    from oshi.commerce import settlement
    from oshi.kernel import clock

    sale = sharded_on_sale(api, total=4, shards=2)  # 2 draws a shard
    monkeypatch.setattr("oshi.catalogue.stock.secrets.randbelow", lambda n: 0)  # shard 0 first
    for i in range(2):  # fill shard 0 (no fault yet)
        assert purchase(api, fan(f"fan-early-{i}"), sale.gacha_id).status == 201
    assert shard_sold(sale.gacha_id) == [2, 0]
    token = fan("fan-1")
    later = datetime.now(UTC) + timedelta(hours=3)

    def expired(order_id: str) -> bool:
        with TEST_READS():
            return str(Order.get(order_id, consistent_read=True).status) == "EXPIRED"

    with count_dynamodb_calls() as calls, injected(Fault(k, when)) as fault:
        response = retry(
            lambda: purchase(api, token, sale.gacha_id, key="sharded-1"), lambda r: r.status in (200, 201)
        )
        order_id = str(response.json()["order_id"])
        retry(lambda: settlement.sweep_expired(later), lambda _: expired(order_id))  # the schedule runs again
    if not fault.fired:
        pytest.skip(f"the flow makes {calls.total} calls")
    with TEST_READS():
        order = Order.get(order_id)
        assert stock_decode(order.stock_shards) == {1: 1}, "spilled to the shard with room"
        assert len([o for o in Order.scan() if o.fan_id == "fan-1"]) == 1, "one order for one purchase"
        assert shard_sold(sale.gacha_id) == [0, 0], "every reservation given back exactly once"
    assert clock.utc_now() < later
    assert_invariants()


def stock_decode(recorded: Any) -> dict[int, int]:
    from oshi.catalogue import stock

    return stock.decode(recorded)
