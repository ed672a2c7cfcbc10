"""Refunds: claw back unspent medals, revoke rewards, release the reservation, audit; idempotent (issue 6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from draw_support import FakeRefunds, deliver, on_sale, paid_order, provider_fixture  # noqa: F401
from payment_support import bus_fixture, of_type  # noqa: F401
from support import Api, audit_log, token_for
from vtuber_support import admin

from oshi.commerce import refunds
from oshi.identity.principal import Role
from oshi.kernel.txn import Txn
from oshi.models.gachas import Gacha
from oshi.models.orders import Order
from oshi.models.rewards import LedgerKind, MedalBalance, MedalLedgerEntry, Reward
from oshi.rewards import medals

pytestmark = pytest.mark.usefixtures("aws")


def test_refunding_a_fulfilled_order_claws_back_and_revokes(api: Api, bus: list[dict[str, Any]]) -> None:
    sale = on_sale(api)
    order = paid_order(sale, count=10)
    deliver(order)
    sold = int(Gacha.get(sale.gacha_id).sold_draws)

    refunded = refunds.mark_refunded(
        order.order_id,
        reason="chargeback",
        actor="provider:stripe",
        request_id="r1",
        provider_refund_id="re_1",
    )
    assert refunded.status == "REFUNDED"
    assert refunded.medals_clawed_back == 10 and refunded.medals_unrecovered == 0
    balance = MedalBalance.get("fan-1", refunded.vtuber_id)
    assert balance.balance == 0 and balance.earned == 10
    kinds = sorted(e.kind for e in MedalLedgerEntry.query(f"fan-1#{refunded.vtuber_id}"))
    assert kinds == ["clawback", "earn"]
    rewards = list(Reward.query("fan-1"))
    assert rewards and all(r.revoked for r in rewards)
    assert int(Gacha.get(sale.gacha_id).sold_draws) == sold - 10
    assert [e.action for e in audit_log() if e.target == f"order:{order.order_id}"] == ["order.refunded"]
    assert len(of_type(bus, "OrderRefunded")) == 1

    again = refunds.mark_refunded(
        order.order_id, reason="again", actor="provider:stripe", request_id="r2", provider_refund_id="re_1"
    )
    assert again.version == refunded.version  # unchanged
    assert int(Gacha.get(sale.gacha_id).sold_draws) == sold - 10
    assert MedalBalance.get("fan-1", refunded.vtuber_id).balance == 0


def test_medals_already_spent_are_recorded_not_taken(api: Api) -> None:
    sale = on_sale(api)
    order = paid_order(sale, count=10)
    deliver(order)
    txn = Txn()
    medals.debit(txn, "fan-1", order.vtuber_id, 7, "exchange-1", datetime.now(UTC), kind=LedgerKind.SPEND)
    txn.commit()

    refunded = refunds.mark_refunded(
        order.order_id, reason="chargeback", actor="provider:stripe", request_id=None, provider_refund_id=None
    )
    assert refunded.medals_clawed_back == 3 and refunded.medals_unrecovered == 7
    assert MedalBalance.get("fan-1", order.vtuber_id).balance == 0


def test_a_paid_order_not_yet_fulfilled_is_refunded_and_not_drawn_later(api: Api) -> None:
    sale = on_sale(api)
    order = paid_order(sale, count=1)
    refunds.mark_refunded(
        order.order_id, reason="x", actor="admin-1", request_id=None, provider_refund_id=None
    )
    assert deliver(order) == set()
    assert Order.get(order.order_id).status == "REFUNDED"
    assert list(Reward.query("fan-1")) == []


def test_admin_refund_over_http(api: Api, provider: FakeRefunds) -> None:
    sale = on_sale(api)
    order = paid_order(sale, count=10)
    deliver(order)
    path = f"/api/admin/orders/{order.order_id}/refund"
    assert api.post(path, token=token_for("fan-1", Role.FAN), json_body={"reason": "x"}).status == 403
    response = api.post(path, token=admin(), json_body={"reason": "duplicate charge"})
    assert response.status == 200, response.body
    body = response.json()
    assert body["status"] == "REFUNDED" and body["medals_clawed_back"] == 10
    assert body["provider_refund_id"] == f"re_{order.order_id}"
    assert api.post(path, token=admin(), json_body={"reason": "again"}).status == 200
    assert len(provider.calls) == 1

    provider.status = "failed"
    other = paid_order(sale, count=1, fan_id="fan-2")
    response = api.post(
        f"/api/admin/orders/{other.order_id}/refund", token=admin(), json_body={"reason": "x"}
    )
    assert response.status == 502 and response.json()["error"]["code"] == "REFUND_FAILED"
    assert Order.get(other.order_id).status == "PAID"


def test_admin_retry_and_reconciliation(api: Api) -> None:
    sale = on_sale(api)
    stuck = paid_order(sale, count=1, paid_minutes_ago=30)
    fresh = paid_order(sale, count=1, fan_id="fan-2")
    report = api.get("/api/admin/reconciliation", token=admin())
    assert report.status == 200, report.body
    body = report.json()
    assert [a["order_id"] for a in body["needs_attention"]] == [stuck.order_id]
    assert set(body["needs_attention"][0]) == {
        "order_id",
        "provider",
        "amount",
        "paid_at",
        "minutes_waiting",
        "reason",
    }
    assert body["needs_attention"][0]["paid_at"] == Order.get(stuck.order_id).paid_at.isoformat()
    assert sum(r["orders"] for r in body["totals"]) == 2
    assert sum(r["amount"] for r in body["totals"]) == stuck.amount + fresh.amount

    response = api.post(f"/api/admin/orders/{stuck.order_id}/retry", token=admin())
    assert response.status == 200, response.body
    assert response.json()["outcome"] == "fulfilled"
    assert api.post(f"/api/admin/orders/{stuck.order_id}/retry", token=admin()).json()["outcome"] == "done"
    body = api.get("/api/admin/reconciliation", token=admin()).json()
    assert body["needs_attention"] == []
    assert sum(r["fulfilled"] for r in body["totals"]) == 1
