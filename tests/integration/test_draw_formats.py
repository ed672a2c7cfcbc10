"""Draw formats (issue 20): the box gacha with its last-one prize, and the ceiling (天井), through the API
and the real fulfilment consumer, including concurrent buyers and the stdlib verifier's replay."""

from __future__ import annotations

import importlib.util
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import invariants
import pytest
from draw_support import deliver, paid_order, provider_fixture  # noqa: F401
from formats_support import box_body, box_on_sale, ceiling_on_sale
from payment_support import purchase, standins_fixture  # noqa: F401
from support import Api, token_for
from vtuber_support import approved, validated_asset

from local.standins import Standins
from oshi.commerce import refunds
from oshi.draw import fairness, fairness_store
from oshi.fulfilment import fulfil
from oshi.models.gachas import Gacha
from oshi.models.orders import Order
from oshi.models.rewards import Reward

pytestmark = pytest.mark.usefixtures("aws")

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("verify_draws_tool", ROOT / "tools" / "verify_draws.py")
assert _spec is not None and _spec.loader is not None
verify_draws = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify_draws)


def replay(log: dict[str, Any]) -> tuple[int, list[str]]:
    """The stdlib verifier on a box's published log, as a fan would run it."""
    out: list[str] = []
    problems = verify_draws.verify_box(
        verify_draws.find_orders(log, (verify_draws.BOX_ORDER_FORMAT,)),
        bytes.fromhex(log["server_seed"]),
        out,
    )
    return problems, out


def drawn(order: Order) -> list[dict[str, Any]]:
    return list(Order.get(order.order_id).results["items"])


# --- the box ------------------------------------------------------------------------------------------------


def test_a_box_is_created_without_rates_and_disclosed_with_its_tickets(api: Api) -> None:
    sale = box_on_sale(api, (2, 5, 13))
    detail = api.get(f"/api/gachas/{sale.gacha_id}").json()
    assert detail["kind"] == "box" and detail["rarest_prize"] is None
    assert detail["stock"] == {"total": 20, "remaining": 20}
    assert [(p["prize_id"], p["tickets"], p["remaining"]) for p in detail["box"]["prizes"]] == [
        ("p01", 2, 2),
        ("p02", 5, 5),
        ("p03", 13, 13),
    ]
    assert detail["box"]["last_one"]["awarded"] is False
    assert sum(p["rate_ppm"] for p in detail["prizes"]) == 1_000_000  # the full box's chances, for display
    live = api.get(f"/api/gachas/{sale.gacha_id}/box")
    assert live.status == 200 and "max-age=5" in live.headers["Cache-Control"]
    assert live.json()["remaining"] == 20 and live.json()["sold_out"] is False
    # the box is committed: its hash is the published rate_table_hash, the log is secret until the end
    fair = api.get(f"/api/gachas/{sale.gacha_id}/fairness").json()
    assert fair["rate_table_history"][0]["rate_table"]["format"] == "oshi-box/1"
    assert fair["server_seed"] is None
    hidden = api.get(f"/api/gachas/{sale.gacha_id}/box/draws")
    assert hidden.status == 409 and hidden.json()["error"]["code"] == "BOX_NOT_REVEALED"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"prizes": [{"name": "A", "rarity": "UR", "asset_ids": ["x"]}]}, "prizes.0.tickets"),
        ({"ceiling": 10}, "ceiling"),
        ({"total_stock": 5}, "total_stock"),
        ({"guarantee": {"min_rarity": "SR"}}, "guarantee"),
        ({"prizes": [{"name": "A", "rarity": "UR", "tickets": 5001, "asset_ids": ["x"]}]}, "prizes"),
    ],
)
def test_a_bad_box_is_refused_with_its_field(api: Api, change: dict[str, Any], field: str) -> None:
    vt = approved(api)
    asset = validated_asset(api, vt)
    body = box_body(asset, **change)
    for prize in body["prizes"]:
        prize["asset_ids"] = [asset]
    response = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert response.status == 422, response.body
    assert field in {d["field"] for d in response.json()["error"]["details"]}, response.body
    assert list(Gacha.scan()) == []


def test_a_last_one_prize_on_a_rate_gacha_is_refused(api: Api) -> None:
    vt = approved(api)
    asset = validated_asset(api, vt)
    body = box_body(asset, kind="rate")
    response = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert response.status == 422
    assert "last_one" in {d["field"] for d in response.json()["error"]["details"]}


def test_a_box_empties_exactly_with_one_last_one_prize_and_replays(api: Api) -> None:
    sale = box_on_sale(api, (2, 5, 13))
    orders = [paid_order(sale, fan_id=f"fan-{i}", count=10) for i in range(2)]
    assert deliver(*orders) == set()

    items = [i for o in orders for i in drawn(o)]
    tickets = [i for i in items if i["table"] == "box"]
    assert Counter(i["prize_id"] for i in tickets) == {"p01": 2, "p02": 5, "p03": 13}
    assert sorted(i["ticket"] for i in tickets) == list(range(20))  # every ticket once
    assert sorted(i["position"] for i in tickets) == list(range(20))
    last = [(o.order_id, i) for o in orders for i in drawn(o) if i["table"] == "last_one"]
    assert len(last) == 1
    last_order = last[0][0]
    assert any(i["position"] == 19 for i in drawn(Order.get(last_order)) if i["table"] == "box")
    # the last-one prize's reward is in that fan's box, keyed after the ten draws
    winner = Order.get(last_order)
    assert any(r.prize_id == "last" for r in Reward.query(winner.fan_id))
    # the winner's order page sends the tickets, the last-one prize and the box proof as stored
    page = api.get(f"/api/gacha/orders/{last_order}", token=token_for(winner.fan_id))
    assert page.status == 200, page.body
    assert page.json()["results"] == winner.results
    assert page.json()["results"]["proof"]["format"] == "oshi-box-order/1"

    live = api.get(f"/api/gachas/{sale.gacha_id}/box").json()
    assert live["remaining"] == 0 and live["sold_out"] is True and live["last_one"]["awarded"] is True
    assert api.get(f"/api/gachas/{sale.gacha_id}").json()["sale_state"] == "sold_out"
    listed = api.get("/api/gachas").json()["items"]
    assert [g["sale_state"] for g in listed if g["gacha_id"] == sale.gacha_id] == ["sold_out"]

    # sold out: the seed is revealed and the stdlib verifier replays the whole box
    log = api.get(f"/api/gachas/{sale.gacha_id}/box/draws")
    assert log.status == 200, log.body
    body = log.json()
    assert body["tickets_drawn"] == 20 and body["last_one_order_id"] == last_order
    problems, out = replay(body)
    assert problems == 0, "\n".join(out)
    # the fan's own order verifies alone too, from the state it records
    fan_out: list[str] = []
    seed = bytes.fromhex(body["server_seed"])
    assert verify_draws.verify_box_order(winner.results["proof"], seed, None, fan_out)[0] == 0
    # and a tampered log is caught
    body["orders"][0]["draws"][0]["ticket"] = 19
    assert replay(body)[0] > 0
    assert invariants.check_all() == []


def test_purchases_reserve_tickets_and_a_short_box_refuses_a_10_draw(api: Api, standins: Standins) -> None:
    sale = box_on_sale(api, (3, 4))
    fan = token_for("fan-7")
    assert purchase(api, fan, sale.gacha_id, count=1).status == 201
    refused = purchase(api, token_for("fan-8"), sale.gacha_id, count=10)
    assert refused.status == 409
    assert refused.json()["error"]["code"] == "NOT_ENOUGH_TICKETS"
    assert refused.json()["error"]["details"] == {"remaining": 6, "count": 10}
    assert Gacha.get(sale.gacha_id).sold_draws == 1  # nothing changed
    for i in range(6):
        assert purchase(api, token_for(f"fan-s{i}"), sale.gacha_id, count=1).status == 201
    sold_out = purchase(api, token_for("fan-9"), sale.gacha_id, count=1)
    assert sold_out.status == 409 and sold_out.json()["error"]["code"] == "SOLD_OUT"
    assert api.get(f"/api/gachas/{sale.gacha_id}/box").json()["sold_out"] is True


def test_a_refund_after_the_draw_keeps_the_tickets_drawn(api: Api, provider: Any) -> None:
    sale = box_on_sale(api, (3, 4))
    order = paid_order(sale, count=1)
    order.update(actions=[Order.gacha_kind.set("box")])  # as the purchase sets it
    assert deliver(order) == set()
    refunds.refund_order(order.order_id, reason="requested_by_customer", actor="admin-1", request_id=None)
    assert Order.get(order.order_id).status == "REFUNDED"
    # the ticket left the box for good: 1 drawn, and its reservation is not handed out again
    assert Gacha.get(sale.gacha_id).sold_draws == 1
    state = fairness_store.box_state(sale.gacha_id)
    assert state is not None and state.box_drawn == 1
    assert invariants.check_all() == []


def test_thirty_concurrent_buyers_never_share_a_ticket_and_one_gets_the_last_one(
    api: Api, atomic_moto: None
) -> None:
    sale = box_on_sale(api, (1, 4, 25))
    orders = [paid_order(sale, fan_id=f"fan-{i}", count=1) for i in range(30)]
    fulfil.forget_configs()
    errors: list[BaseException] = []

    def run(order: Order) -> None:
        try:
            for _ in range(5):  # a message that lost too many races is redelivered by SQS
                if not deliver(order):
                    return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    items = [i for o in orders for i in drawn(o)]
    tickets = [i for i in items if i["table"] == "box"]
    assert sorted(i["ticket"] for i in tickets) == list(range(30))
    assert Counter(i["prize_id"] for i in tickets) == {"p01": 1, "p02": 4, "p03": 25}
    assert sum(i["table"] == "last_one" for i in items) == 1
    log = api.get(f"/api/gachas/{sale.gacha_id}/box/draws").json()
    problems, out = replay(log)
    assert problems == 0, "\n".join(out)
    assert invariants.check_all() == []


# --- the ceiling ------------------------------------------------------------------------------------------


def ranks_of(orders: list[Order]) -> list[tuple[str, str]]:
    """(rarity, table) of every draw of ``orders`` in order."""
    return [(i["rarity"], i["table"]) for o in orders for i in drawn(o)]


def test_the_ceiling_gives_every_fan_the_top_rarity_exactly_at_draw_n(api: Api) -> None:
    sale = ceiling_on_sale(api, 5)  # UR at 1 ppm: in practice only the ceiling ever gives it
    detail = api.get(f"/api/gachas/{sale.gacha_id}").json()
    assert detail["ceiling"]["draws"] == 5 and detail["ceiling"]["rarity"] == "UR"
    history = api.get(f"/api/gachas/{sale.gacha_id}/fairness").json()["rate_table_history"]
    assert [h["rate_table"]["format"] for h in history] == ["oshi-rate-table/2"]
    assert history[0]["rate_table"]["ceiling"] == {"draws": 5, "rarity": "UR"}
    seed, _ = fairness_store.server_seed(sale.gacha_id)
    for n in range(4):
        fan_id = f"fan-{n}"
        fan = token_for(fan_id)
        singles = []
        for expected_left in (5, 4, 3, 2):
            counter = api.get(f"/api/gachas/{sale.gacha_id}/me", token=fan).json()["ceiling"]
            assert counter["draws_left"] == expected_left
            order = paid_order(sale, fan_id=fan_id, count=1)
            assert deliver(order) == set()
            singles.append(order)
        assert api.get(f"/api/gachas/{sale.gacha_id}/me", token=fan).json()["ceiling"]["draws_left"] == 1
        ten = paid_order(sale, fan_id=fan_id, count=10)
        assert deliver(ten) == set()
        draws = ranks_of([*singles, ten])
        # 14 draws: UR exactly at the 5th and the 10th, each from the ceiling table
        assert [i + 1 for i, (rarity, _) in enumerate(draws) if rarity == "UR"] == [5, 10]
        assert [i + 1 for i, (_, table) in enumerate(draws) if table == "ceiling"] == [5, 10]
        counter = api.get(f"/api/gachas/{sale.gacha_id}/me", token=fan).json()["ceiling"]
        assert counter["since_top"] == 4 and counter["draws_left"] == 1
        done = Order.get(ten.order_id)
        assert done.results["ceiling"] == {"before": 4, "after": 4, "draws": 5}
        assert done.results["proof"]["format"] == "oshi-fairness/2"
        page = api.get(f"/api/gacha/orders/{ten.order_id}", token=fan)
        assert page.status == 200, page.body
        assert page.json()["results"] == done.results  # the ceiling and its proof, as stored
        for order in [*singles, ten]:
            proof = Order.get(order.order_id).results["proof"]
            assert fairness.verify(proof, seed) == []
            out: list[str] = []
            assert verify_draws.verify_order(proof, seed, out) == 0, "\n".join(out)
    # a proof that hides the ceiling (says the counter was lower) no longer verifies, in either verifier
    tampered = Order.get(ten.order_id).results["proof"]
    tampered["ceiling_before"] = 0
    assert fairness.verify(tampered, seed) != []
    assert verify_draws.verify_order(tampered, seed, []) > 0
    assert invariants.check_all() == []


def test_the_ceiling_counter_is_exact_under_one_fans_concurrent_orders(api: Api, atomic_moto: None) -> None:
    sale = ceiling_on_sale(api, 7)
    orders = [paid_order(sale, count=1 if i % 2 else 10) for i in range(6)]  # 33 draws
    fulfil.forget_configs()
    threads = [threading.Thread(target=lambda o=o: [deliver(o) for _ in range(3)]) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    by_nonce = sorted((Order.get(o.order_id) for o in orders), key=lambda o: int(o.nonce))
    assert [int(o.nonce) for o in by_nonce] == list(range(6))
    draws = [(i["rarity"], i["table"]) for o in by_nonce for i in o.results["items"]]
    assert [i + 1 for i, (rarity, _) in enumerate(draws) if rarity == "UR"] == [7, 14, 21, 28]
    assert invariants.check_all() == []


def test_a_ceiling_needs_an_unlimited_top_rarity(api: Api) -> None:
    vt = approved(api)
    asset = validated_asset(api, vt)
    from vtuber_support import gacha_body

    response = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body([asset], ceiling=100)
    )  # its UR has stock 3
    assert response.status == 422
    assert {d["type"] for d in response.json()["error"]["details"]} == {"ceiling_stock"}
