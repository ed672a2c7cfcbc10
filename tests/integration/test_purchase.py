"""POST /api/gacha/purchase and the order reads: reservation, caps, idempotency, sold out, ownership."""

from __future__ import annotations

from typing import Any

from payment_support import (
    birth_date_for_age,
    bus_fixture,  # noqa: F401
    fan,
    gacha_on_sale,
    of_type,
    purchase,
    standins_fixture,  # noqa: F401
)
from support import Api

from local.standins import Standins
from oshi.models.gachas import Gacha
from oshi.models.orders import Order
from oshi.models.payments import Spending


def test_stripe_purchase_reserves_and_a_paid_checkout_publishes_one_payment_completed(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    sale = gacha_on_sale(api, total_stock=20)
    token = fan()
    response = purchase(api, token, sale.gacha_id, count=10)
    assert response.status == 201, response.body
    order = response.json()
    assert order["status"] == "PENDING_PAYMENT" and order["amount"] == 3000 and order["currency"] == "JPY"
    assert order["redirect_url"].startswith(standins.stripe.url + "/checkout/cs_test_")
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 10  # reserved before any payment
    session = standins.stripe.sessions[Order.get(order["order_id"]).provider_session_id]
    assert session["client_reference_id"] == order["order_id"] and session["amount_total"] == 3000
    assert session["currency"] == "jpy" and session["metadata"]["order_id"] == order["order_id"]

    delivered = standins.stripe.pay(session["id"], "success")
    assert [(t, s) for _, t, s in delivered or []] == [("checkout.session.completed", 200)]

    paid = api.get(f"/api/gacha/orders/{order['order_id']}", token=token)
    assert paid.status == 200 and paid.json()["status"] == "PAID" and paid.json()["redirect_url"] is None
    completed = of_type(bus, "PaymentCompleted")
    assert len(completed) == 1
    assert completed[0]["data"] == {
        "order_id": order["order_id"],
        "fan_id": "fan-1",
        "gacha_id": sale.gacha_id,
        "vtuber_id": sale.vt.vtuber_id,
        "count": 10,
        "amount": 3000,
        "provider": "stripe",
    }
    assert completed[0]["metadata"]["correlation_id"] == order["order_id"]
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 10  # paid: the reservation stays sold


def test_komoju_konbini_waits_for_capture_and_an_expired_slip_releases_stock_and_spending(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    token = fan()
    paid = purchase(api, token, sale.gacha_id, provider="komoju", method="konbini").json()
    session_id = Order.get(paid["order_id"]).provider_session_id
    assert standins.komoju.sessions[session_id]["external_order_num"] == paid["order_id"]
    assert standins.komoju.sessions[session_id]["payment_types"] == ["konbini"]
    delivered = standins.komoju.pay(session_id, "async_success")
    assert [(t, s) for _, t, s in delivered or []] == [("payment.authorized", 200), ("payment.captured", 200)]
    assert Order.get(paid["order_id"]).status == "PAID"
    assert len(of_type(bus, "PaymentCompleted")) == 1

    # A second konbini order whose slip expires: stock and spending come back, nothing is published.
    other = gacha_on_sale(api, total_stock=5, user_id="vt-2")
    unpaid = purchase(api, token, other.gacha_id, provider="komoju", method="konbini").json()
    assert int(Gacha.get(other.gacha_id).sold_draws) == 1
    standins.komoju.pay(Order.get(unpaid["order_id"]).provider_session_id, "async_fail")
    expired = Order.get(unpaid["order_id"])
    assert expired.status == "EXPIRED" and expired.reservation_released
    assert int(Gacha.get(other.gacha_id).sold_draws) == 0
    month = Order.get(paid["order_id"]).spend_period
    assert int(Spending.get("fan-1", month).spent) == 300  # only the paid order counts
    assert len(of_type(bus, "PaymentCompleted")) == 1


def test_sold_out_is_409_and_creates_no_payment(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    token = fan()
    response = purchase(api, token, sale.gacha_id, count=10)
    assert response.status == 409 and response.json()["error"]["code"] == "SOLD_OUT"
    assert response.json()["error"]["details"] == {"remaining": 5}
    assert standins.stripe.sessions == {}
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 0
    assert list(Order.scan()) == []


def test_monthly_cap_for_a_minor_is_enforced_with_the_remaining_allowance(
    api: Api, standins: Standins
) -> None:
    sale = gacha_on_sale(api, price_ten=3000)
    other = gacha_on_sale(api, user_id="vt-2", price_ten=3000)
    token = fan("young", birth_date_for_age(14))  # under 16: 5,000 JPY a month
    assert purchase(api, token, sale.gacha_id, count=10).status == 201
    refused = purchase(api, token, other.gacha_id, count=10)
    assert refused.status == 403
    error = refused.json()["error"]
    assert error["code"] == "SPENDING_CAP_EXCEEDED"
    assert error["details"]["cap"] == 5000 and error["details"]["remaining"] == 2000
    assert error["details"]["amount"] == 3000
    assert len(standins.stripe.sessions) == 1
    assert purchase(api, token, other.gacha_id, count=1).status == 201  # 300 fits in what is left


def test_an_adult_has_no_cap_unless_they_set_one(api: Api, standins: Standins) -> None:
    from oshi.commerce import spending

    sale = gacha_on_sale(api, price_single=3000, price_ten=30000)
    token = fan("adult", birth_date_for_age(30))
    spending.set_own_cap("adult", 20000)
    refused = purchase(api, token, sale.gacha_id, count=10)
    assert refused.status == 403 and refused.json()["error"]["details"]["remaining"] == 20000
    spending.set_own_cap("adult", None)
    assert purchase(api, token, sale.gacha_id, count=10).status == 201


def test_idempotency_key_returns_the_same_order_and_a_second_pending_purchase_is_refused(
    api: Api, standins: Standins
) -> None:
    sale = gacha_on_sale(api)
    token = fan()
    first = purchase(api, token, sale.gacha_id, key="retry-1")
    again = purchase(api, token, sale.gacha_id, key="retry-1")
    assert first.status == 201 and again.status == 200
    assert again.json()["order_id"] == first.json()["order_id"]
    assert again.json()["redirect_url"] == first.json()["redirect_url"]
    reused = purchase(api, token, sale.gacha_id, key="retry-1", count=10)
    assert reused.status == 422 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(standins.stripe.sessions) == 1

    second = purchase(api, token, sale.gacha_id, key="retry-2")
    assert second.status == 409 and second.json()["error"]["code"] == "ORDER_PENDING"
    assert second.json()["error"]["details"]["order_id"] == first.json()["order_id"]
    assert len(standins.stripe.sessions) == 1 and int(Gacha.get(sale.gacha_id).sold_draws) == 1

    # Once the first checkout expires, a new purchase of the same gacha goes through.
    standins.stripe.pay(Order.get(first.json()["order_id"]).provider_session_id, "expire")
    assert purchase(api, token, sale.gacha_id, key="retry-3").status == 201
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 1


def drawn_results(order_id: str, gacha_id: str) -> dict[str, Any]:
    """One drawn N prize and its proof, key for key as ``oshi.fulfilment.fulfil`` stores them."""
    table = {"format": "oshi-rate-table/1", "entries": [{"prize_id": "p01", "rarity": "N", "ppm": 1_000_000}]}
    return {
        "items": [
            {
                "slot": 0,
                "prize_id": "p01",
                "name": "N prize",
                "rarity": "N",
                "table": "main",
                "assets": 1,
                "ticket": None,
                "position": None,
            }
        ],
        "proof": {
            "format": "oshi-fairness/1",
            "commitment": "0" * 64,
            "rate_table": {**table, "guarantee": None},
            "rate_table_hash": "1" * 64,
            "fan_id": "fan-1",
            "client_seed": "seed",
            "nonce": 0,
            "draws": [
                {
                    "slot": 0,
                    "table": "main",
                    "exhausted": [],
                    "total_weight": 1_000_000,
                    "r": 12345,
                    "attempts": 1,
                    "prize_id": "p01",
                }
            ],
            "gacha_id": gacha_id,
            "order_id": order_id,
        },
        "ceiling": None,
        "campaign": None,
    }


def test_orders_are_visible_to_their_owner_only(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api)
    token = fan()
    order_id = purchase(api, token, sale.gacha_id).json()["order_id"]
    results = drawn_results(order_id, sale.gacha_id)  # the shape fulfilment stores (OrderResults)
    Order(order_id).update(
        actions=[
            Order.status.set("FULFILLED"),
            Order.results.set(results),
            Order.medals_awarded.set(1),
        ]
    )
    mine = api.get(f"/api/gacha/orders/{order_id}", token=token).json()
    assert (
        mine["status"] == "FULFILLED"
        and mine["results"] == results
        and mine["results"]["items"][0]["prize_id"] == "p01"
        and mine["medals_awarded"] == 1
    )
    intruder = api.get(f"/api/gacha/orders/{order_id}", token=fan("fan-2"))
    assert intruder.status == 404 and intruder.json()["error"]["code"] == "ORDER_NOT_FOUND"
    history = api.get("/api/gacha/orders", token=token).json()
    assert [o["order_id"] for o in history["items"]] == [order_id]
    assert history["items"][0]["results"] is None  # the list is a summary
    assert api.get("/api/gacha/orders", token=fan("fan-3")).json()["items"] == []


def test_bad_input_is_refused_before_anything_is_reserved(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api)
    token = fan()
    assert purchase(api, token, sale.gacha_id, count=3).status == 422
    unsupported = purchase(api, token, sale.gacha_id, provider="komoju", method="bitcoin")
    assert unsupported.status == 422
    missing = purchase(api, token, "0" * 26)
    assert missing.status == 404 and missing.json()["error"]["code"] == "GACHA_NOT_FOUND"
    bad_key = purchase(api, token, sale.gacha_id, key="bad key with spaces")  # the one rule: as the trade
    assert (bad_key.status, bad_key.json()["error"]["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 0 and standins.stripe.sessions == {}


def test_a_suspended_vtubers_gacha_cannot_be_bought(api: Api, standins: Standins) -> None:
    from vtuber_support import admin

    sale = gacha_on_sale(api, total_stock=10)
    token = fan()
    suspended = api.post(
        f"/api/admin/vtubers/{sale.vt.vtuber_id}/suspend", token=admin(), json_body={"reason": "ToS"}
    )
    assert suspended.status == 200, suspended.body
    refused = purchase(api, token, sale.gacha_id)
    assert refused.status == 409 and refused.json()["error"]["code"] == "GACHA_NOT_ON_SALE"
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 0 and standins.stripe.sessions == {}


def test_the_vtubers_status_is_checked_inside_the_reservation_transaction(
    api: Api, standins: Standins
) -> None:
    from oshi.models.vtubers import Vtuber

    sale = gacha_on_sale(api, total_stock=10)
    Vtuber(sale.vt.user_id).update(actions=[Vtuber.status.set("suspended")])  # the gacha item is untouched
    refused = purchase(api, fan(), sale.gacha_id)
    assert refused.status == 409 and refused.json()["error"]["details"] == {"state": "suspended"}
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 0 and list(Order.scan()) == []


def test_the_fans_client_seed_is_kept_and_one_is_generated_otherwise(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api)
    body = {"gacha_id": sale.gacha_id, "count": 1, "provider": "stripe", "client_seed": "my lucky seed 🍀"}
    mine = api.post("/api/gacha/purchase", token=fan("fan-a"), json_body=body)
    assert mine.status == 201, mine.body
    assert mine.json()["client_seed"] == "my lucky seed 🍀"
    assert Order.get(mine.json()["order_id"]).client_seed == "my lucky seed 🍀"

    generated = purchase(api, fan("fan-b"), sale.gacha_id)
    seed = generated.json()["client_seed"]
    assert isinstance(seed, str) and len(seed) >= 16, "shown to the fan before the draw"
    assert Order.get(generated.json()["order_id"]).client_seed == seed

    bad = api.post("/api/gacha/purchase", token=fan("fan-c"), json_body={**body, "client_seed": "a\x00b"})
    assert bad.status == 422 and not list(Order.scan(Order.fan_id == "fan-c"))
