"""Campaigns (issue 20): medal multipliers (per gacha or per VTuber, the one in force when the order was
paid) and the first 10-draw discount (once per fan per gacha, price shown before purchase)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import invariants
import pytest
from draw_support import deliver, on_sale, paid_order
from payment_support import purchase, standins_fixture  # noqa: F401
from support import Api, audit_log, token_for

from local.standins import Standins
from oshi.commerce import settlement
from oshi.models.campaigns import Campaign
from oshi.models.gachas import Gacha
from oshi.models.orders import Order, OrderStatus
from oshi.models.rewards import MedalLedgerEntry

pytestmark = pytest.mark.usefixtures("aws")


def iso(at: datetime) -> str:
    return at.isoformat()


def campaign(api: Api, token: str, **body: Any) -> Any:
    now = datetime.now(UTC)
    payload = {
        "kind": "medal_multiplier",
        "title": "週末メダル2倍",
        "starts_at": iso(now + timedelta(minutes=11)),
        "ends_at": iso(now + timedelta(days=2)),
        "multiplier": 2,
        **body,
    }
    return api.post("/api/vtuber/campaigns", token=token, json_body=payload)


def test_a_multiplier_applies_to_orders_paid_in_its_window_and_shows_in_the_ledger(api: Api) -> None:
    sale = on_sale(api)
    created = campaign(api, sale.vt.token, gacha_id=sale.gacha_id)
    assert created.status == 201, created.body
    campaign_id = created.json()["campaign_id"]
    shown = api.get(f"/api/gachas/{sale.gacha_id}").json()["campaigns"]
    assert [(c["campaign_id"], c["multiplier"], c["active"]) for c in shown] == [(campaign_id, 2, False)]
    assert any(e.action == "campaign.created" for e in audit_log())

    before = paid_order(sale, fan_id="fan-1", count=10)  # paid now: before the campaign starts
    during = paid_order(sale, fan_id="fan-2", count=10, paid_minutes_ago=-15)  # paid inside the window
    assert deliver(before, during) == set()
    assert Order.get(before.order_id).medals_awarded == 10
    done = Order.get(during.order_id)
    assert done.medals_awarded == 20 and done.medal_multiplier == 2
    assert done.results["campaign"] == {"campaign_id": campaign_id, "medal_multiplier": 2}
    entry = next(iter(MedalLedgerEntry.query(f"fan-2#{done.vtuber_id}")))
    assert (int(entry.delta), int(entry.multiplier), entry.campaign_id) == (20, 2, campaign_id)
    order_view = api.get(f"/api/gacha/orders/{during.order_id}", token=token_for("fan-2")).json()
    assert order_view["medal_multiplier"] == 2 and order_view["results"]["campaign"]["medal_multiplier"] == 2
    assert invariants.check_all() == []


def test_overlapping_multipliers_and_bad_campaigns_are_refused(api: Api) -> None:
    sale = on_sale(api)
    assert campaign(api, sale.vt.token, gacha_id=sale.gacha_id).status == 201
    overlap = campaign(api, sale.vt.token)  # VTuber-wide, same window: could apply to the same order
    assert overlap.status == 409 and overlap.json()["error"]["code"] == "CAMPAIGN_OVERLAP"
    soon = campaign(api, sale.vt.token, starts_at=iso(datetime.now(UTC) + timedelta(minutes=1)))
    assert soon.status == 422
    assert {d["type"] for d in soon.json()["error"]["details"]} == {"start_too_soon"}
    big = campaign(api, sale.vt.token, multiplier=10, starts_at=iso(datetime.now(UTC) + timedelta(days=3)))
    assert big.status == 422
    comp = campaign(api, sale.vt.token, complete_bonus=True)
    assert comp.status == 422
    other = on_sale(api, user_id="vt-2")
    foreign = campaign(
        api, other.vt.token, gacha_id=sale.gacha_id, starts_at=iso(datetime.now(UTC) + timedelta(days=5))
    )
    assert foreign.status == 404
    assert len([c for c in Campaign.scan() if c.campaign_id != "lock"]) == 1


def test_the_first_10_draw_discount_is_shown_and_used_once(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = on_sale(api)
    created = campaign(
        api, sale.vt.token, kind="first_ten_discount", gacha_id=sale.gacha_id, multiplier=None, price_ten=1500
    )
    assert created.status == 201, created.body
    later = datetime.now(UTC) + timedelta(minutes=20)
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: later.timestamp())
    fan = token_for("fan-1")
    me = api.get(f"/api/gachas/{sale.gacha_id}/me", token=fan).json()
    assert me["price_ten"] == 1500 and me["first_ten"]["list_price"] == 3000

    first = purchase(api, fan, sale.gacha_id, count=10)
    assert first.status == 201, first.body
    order = Order.get(first.json()["order_id"])
    assert (int(order.amount), int(order.list_price)) == (1500, 3000)
    # never paid: the discount comes back
    assert settlement.close_unpaid(order.order_id, OrderStatus.EXPIRED, "test", actor="test")
    assert api.get(f"/api/gachas/{sale.gacha_id}/me", token=fan).json()["price_ten"] == 1500

    again = purchase(api, fan, sale.gacha_id, count=10)
    assert again.status == 201
    paid = Order.get(again.json()["order_id"])
    assert int(paid.amount) == 1500
    standins.stripe.pay(paid.provider_session_id, "success")
    assert Order.get(paid.order_id).status in ("PAID", "FULFILLED")
    me = api.get(f"/api/gachas/{sale.gacha_id}/me", token=fan).json()
    assert me["first_ten"] is None and me["price_ten"] == 3000
    full = purchase(api, fan, sale.gacha_id, count=10)
    assert full.status == 201 and int(Order.get(full.json()["order_id"]).amount) == 3000
    # the rates are the same for everyone
    assert api.get(f"/api/gachas/{sale.gacha_id}").json()["rate_table"]["hash"] == paid_gacha_hash(
        api, sale.gacha_id
    )
    assert invariants.check_all(settled=False) == []


def paid_gacha_hash(api: Api, gacha_id: str) -> str:
    return str(api.get(f"/api/gachas/{gacha_id}/fairness").json()["rate_table_hash"])


def test_a_campaign_is_cancelled_before_it_is_frozen_and_its_discount_goes_with_it(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = on_sale(api)
    discount = campaign(
        api, sale.vt.token, kind="first_ten_discount", gacha_id=sale.gacha_id, multiplier=None, price_ten=1500
    ).json()
    multiplier = campaign(api, sale.vt.token, gacha_id=sale.gacha_id).json()
    other = on_sale(api, user_id="vt-2")
    path = f"/api/vtuber/campaigns/{discount['campaign_id']}/cancel"
    # another VTuber's campaign, or none: 404, nothing changes
    assert api.post(path, token=other.vt.token).json()["error"]["code"] == "CAMPAIGN_NOT_FOUND"
    assert api.post("/api/vtuber/campaigns/lock/cancel", token=sale.vt.token).status == 404

    cancelled = api.post(path, token=sale.vt.token)
    assert cancelled.status == 200, cancelled.body
    assert cancelled.json()["campaign_id"] == discount["campaign_id"]
    mine = api.get("/api/vtuber/campaigns", token=sale.vt.token).json()["items"]
    assert [c["campaign_id"] for c in mine] == [multiplier["campaign_id"]]
    shown = api.get(f"/api/gachas/{sale.gacha_id}").json()["campaigns"]
    assert [c["campaign_id"] for c in shown] == [multiplier["campaign_id"]]
    assert [e.before["campaign_id"] for e in audit_log() if e.action == "campaign.cancelled"] == [
        discount["campaign_id"]
    ]
    # the purchase finds discounts on the gacha item: the cancelled one is gone from it
    assert Gacha.get(sale.gacha_id).first_ten == []
    assert api.post(path, token=sale.vt.token).status == 404  # cancelled already

    # two minutes later the multiplier starts in 9 minutes (created 11 before its start): frozen, kept
    later = datetime.now(UTC) + timedelta(minutes=2)
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: later.timestamp())
    frozen = api.post(f"/api/vtuber/campaigns/{multiplier['campaign_id']}/cancel", token=sale.vt.token)
    assert frozen.status == 409 and frozen.json()["error"]["code"] == "CAMPAIGN_FROZEN"
    assert [c.campaign_id for c in Campaign.scan() if c.campaign_id != "lock"] == [multiplier["campaign_id"]]
    assert multiplier["cancellable"] is True  # as created; the list says when that ends
    assert [
        c["cancellable"] for c in api.get("/api/vtuber/campaigns", token=sale.vt.token).json()["items"]
    ] == [False]
