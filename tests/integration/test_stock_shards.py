"""Sharded stock (issue 21, oshi.catalogue.stock): a limited gacha's stock on N shard items.

Shard selection at random, spill-over from a full shard, sold out only when every shard is, never oversold
under concurrent buyers, the one release path (the sweeper included) giving each shard its draws back,
the catalogue's cached sum, and the invariants that catch a shard out of step."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import invariants
import pytest
from payment_support import OnSale, fan, gacha_on_sale, purchase, standins_fixture  # noqa: F401
from support import Api
from vtuber_support import approved, gacha_body, validated_asset

from local.standins import Standins
from oshi.catalogue import stock
from oshi.commerce import orders, settlement
from oshi.kernel import clock
from oshi.kernel.errors import GachaInvalid
from oshi.models.gachas import Gacha, StockShard
from oshi.models.orders import Order


def sharded_on_sale(api: Api, *, total: int, shards: int | None, user_id: str = "vt-1") -> OnSale:
    vt = approved(api, user_id)
    asset = validated_asset(api, vt)
    body = gacha_body([asset], publish=True, total_stock=total)
    if shards is not None:
        body["stock_shards"] = shards
    response = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert response.status == 201, response.body
    gacha_id = str(response.json()["gacha_id"])
    Gacha(gacha_id).update(actions=[Gacha.starts_at.set(datetime.now(UTC) - timedelta(hours=1))])
    return OnSale(gacha_id, vt)


def shard_sold(gacha_id: str) -> list[int]:
    return stock.read(Gacha.get(gacha_id, consistent_read=True))


def test_the_shard_count_is_chosen_at_publish_and_validated(api: Api) -> None:
    sale = sharded_on_sale(api, total=40, shards=4)
    gacha = Gacha.get(sale.gacha_id)
    assert int(gacha.stock_shards) == 4 and stock.shard_count(gacha) == 4
    shown = api.get(f"/api/vtuber/gacha/{sale.gacha_id}", token=sale.vt.token)
    assert shown.status == 200 and shown.json()["stock_shards"] == 4
    # default from the stock size: one shard per DRAWS_PER_SHARD draws
    big = sharded_on_sale(api, total=3 * stock.DRAWS_PER_SHARD, shards=None, user_id="vt-2")
    assert stock.shard_count(Gacha.get(big.gacha_id)) == 3
    small = sharded_on_sale(api, total=50, shards=None, user_id="vt-3")
    assert Gacha.get(small.gacha_id).stock_shards is None  # one shard: the gacha item itself
    vt = approved(api, "vt-4")
    asset = validated_asset(api, vt)
    before = len(list(Gacha.scan()))
    for body, kind in (
        (gacha_body([asset], total_stock=3, stock_shards=4), "out_of_bounds"),  # a shard without a draw
        (gacha_body([asset], stock_shards=2), "out_of_bounds"),  # unlimited: nothing to shard
        (gacha_body([asset], total_stock=100, stock_shards=stock.MAX_SHARDS + 1), "out_of_bounds"),
    ):
        response = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
        assert response.status == GachaInvalid.status, response.body
        assert response.json()["error"]["code"] == "GACHA_INVALID"
        problems = response.json()["error"]["details"]
        assert any(p["field"] == "stock_shards" and p["type"] == kind for p in problems), problems
    assert len(list(Gacha.scan())) == before  # nothing written


def test_a_purchase_reserves_on_one_random_shard_and_the_order_names_it(api: Api, standins: Standins) -> None:
    sale = sharded_on_sale(api, total=400, shards=4)
    chosen = set()
    for i in range(12):
        response = purchase(api, fan(f"fan-{i}"), sale.gacha_id, count=10 if i % 2 else 1)
        assert response.status == 201, response.body
        order = Order.get(response.json()["order_id"])
        named = stock.decode(order.stock_shards)
        assert len(named) == 1 and sum(named.values()) == int(order.count)
        chosen |= set(named)
    assert len(chosen) > 1, "random shards, not always the same one"
    assert sum(shard_sold(sale.gacha_id)) == 6 * 1 + 6 * 10
    assert int(Gacha.get(sale.gacha_id).sold_draws) == 0  # the hot item is never written
    assert invariants.check_stock(list(Gacha.scan()), [], list(Order.scan()), list(StockShard.scan())) == []


def test_a_full_shard_spills_to_the_others_and_sold_out_only_when_all_are(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = sharded_on_sale(api, total=12, shards=3)  # 4 draws a shard
    monkeypatch.setattr("oshi.catalogue.stock.secrets.randbelow", lambda n: 0)  # always try shard 0 first
    statuses = [purchase(api, fan(f"fan-{i}"), sale.gacha_id).status for i in range(12)]
    assert statuses == [201] * 12, "every draw of every shard sold, though shard 0 was full after 4"
    assert shard_sold(sale.gacha_id) == [4, 4, 4]
    refused = purchase(api, fan("fan-late"), sale.gacha_id)
    assert refused.status == 409 and refused.json()["error"]["code"] == "SOLD_OUT"
    assert refused.json()["error"]["details"]["remaining"] == 0
    assert not [o for o in Order.scan() if o.fan_id == "fan-late"]
    assert invariants.check_stock(list(Gacha.scan()), [], list(Order.scan()), list(StockShard.scan())) == []


def test_a_ten_draw_spans_shards_when_no_single_shard_has_room(api: Api, standins: Standins) -> None:
    sale = sharded_on_sale(api, total=20, shards=4)  # 5 draws a shard: a 10-draw never fits on one
    first = purchase(api, fan("fan-1"), sale.gacha_id, count=10)
    assert first.status == 201, first.body
    named = stock.decode(Order.get(first.json()["order_id"]).stock_shards)
    assert sum(named.values()) == 10 and len(named) == 2
    second = purchase(api, fan("fan-2"), sale.gacha_id, count=10)
    assert second.status == 201, second.body
    assert shard_sold(sale.gacha_id) == [5, 5, 5, 5]
    third = purchase(api, fan("fan-3"), sale.gacha_id)
    assert third.status == 409 and third.json()["error"]["code"] == "SOLD_OUT"


def test_concurrent_buyers_never_oversell_a_sharded_gacha(
    api: Api, standins: Standins, atomic_moto: None
) -> None:
    sale = sharded_on_sale(api, total=30, shards=4)  # 8, 8, 7, 7
    tokens = [fan(f"fan-{i:02d}") for i in range(45)]
    start = threading.Barrier(15)

    def buy(token: str) -> int:
        start.wait()  # 45 buyers: three rounds of 15 released at once
        return int(purchase(api, token, sale.gacha_id).status)

    with ThreadPoolExecutor(max_workers=15) as pool:
        statuses = list(pool.map(buy, tokens))
    assert statuses.count(201) == 30, statuses  # exactly the stock: never over, never under
    assert set(statuses) <= {201, 409, 429}
    assert shard_sold(sale.gacha_id) == [8, 8, 7, 7]
    assert len([o for o in Order.scan() if o.gacha_id == sale.gacha_id]) == 30
    assert invariants.check_stock(list(Gacha.scan()), [], list(Order.scan()), list(StockShard.scan())) == []


def test_the_sweeper_releases_a_shard_reservation_left_by_an_abandoned_purchase(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = sharded_on_sale(api, total=8, shards=2)
    # The purchase "crashes" after its transaction: the provider call never happens (no checkout).
    monkeypatch.setattr(orders, "_start_checkout", lambda order, title, request_id: order)
    response = purchase(api, fan("fan-1"), sale.gacha_id, count=1)
    assert response.status == 201, response.body
    order = Order.get(response.json()["order_id"])
    assert sum(shard_sold(sale.gacha_id)) == 1
    expired = settlement.sweep_expired(clock.utc_now() + timedelta(hours=3))
    assert expired == [order.order_id]
    assert shard_sold(sale.gacha_id) == [0, 0]
    released = Order.get(order.order_id, consistent_read=True)
    assert released.status == "EXPIRED" and released.reservation_released is True
    assert settlement.sweep_expired(clock.utc_now() + timedelta(hours=3)) == []  # exactly once
    assert shard_sold(sale.gacha_id) == [0, 0]
    assert invariants.check_stock(list(Gacha.scan()), [], list(Order.scan()), list(StockShard.scan())) == []


def test_the_catalogue_shows_the_cached_sum_of_the_shards(api: Api, standins: Standins) -> None:
    sale = sharded_on_sale(api, total=12, shards=3)
    stock.forget_sums()
    for i in range(5):
        assert purchase(api, fan(f"fan-{i}"), sale.gacha_id).status == 201
    detail = api.get(f"/api/gachas/{sale.gacha_id}")
    assert detail.status == 200 and detail.json()["stock"] == {"total": 12, "remaining": 7}
    for i in range(5, 12):
        assert purchase(api, fan(f"fan-{i}"), sale.gacha_id).status == 201
    stock.forget_sums()  # past SUM_TTL
    listed = api.get("/api/gachas")
    card = next(g for g in listed.json()["items"] if g["gacha_id"] == sale.gacha_id)
    assert card["sale_state"] == "sold_out"


def test_the_invariants_catch_a_shard_out_of_step(api: Api, standins: Standins) -> None:
    sale = sharded_on_sale(api, total=8, shards=2)
    response = purchase(api, fan("fan-1"), sale.gacha_id)
    order = Order.get(response.json()["order_id"])
    (k,) = stock.decode(order.stock_shards)

    def rules() -> set[str]:
        found: list[Any] = invariants.check_stock(
            list(Gacha.scan()), [], list(Order.scan()), list(StockShard.scan())
        )
        return {v.rule for v in found}

    assert rules() == set()
    StockShard(stock.shard_key(sale.gacha_id, k)).update(actions=[StockShard.sold.add(1)])  # a lost release
    assert rules() == {"stock.shard_draws"}
    StockShard(stock.shard_key(sale.gacha_id, k)).update(actions=[StockShard.sold.set(99)])
    assert rules() == {"stock.shard_draws", "stock.shard_oversold"}
    StockShard(stock.shard_key(sale.gacha_id, k)).update(actions=[StockShard.sold.set(1)])
    StockShard(stock.shard_key(sale.gacha_id, 7)).update(actions=[StockShard.sold.set(0)])  # no shard 7
    assert rules() == {"stock.shard_unknown"}


def test_a_sharded_purchase_costs_the_same_round_trips_and_a_full_shard_two_more(
    api: Api, standins: Standins, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.dynamodb_calls import count_dynamodb_calls

    plain = gacha_on_sale(api, total_stock=100, user_id="vt-plain")
    sale = sharded_on_sale(api, total=8, shards=2)  # 4 draws a shard
    for i, gacha_id in enumerate((plain.gacha_id, sale.gacha_id)):  # warm: keys, clients, caches
        assert purchase(api, fan(f"fan-warm-{i}"), gacha_id).status == 201
    with count_dynamodb_calls() as unsharded:
        assert purchase(api, fan("fan-a"), plain.gacha_id).status == 201
    monkeypatch.setattr("oshi.catalogue.stock.secrets.randbelow", lambda n: 0)
    with count_dynamodb_calls() as common:
        assert purchase(api, fan("fan-b"), sale.gacha_id, count=1).status == 201
    assert list(common) == list(unsharded), "the common case: no call more than on the gacha item"
    filled = 0
    while shard_sold(sale.gacha_id)[0] < 4:  # shard 0 first, while it has room
        assert purchase(api, fan(f"fan-fill-{filled}"), sale.gacha_id).status == 201
        filled += 1
    assert shard_sold(sale.gacha_id)[1] < 4
    with count_dynamodb_calls() as full:
        assert purchase(api, fan("fan-c"), sale.gacha_id).status == 201
    first = list(unsharded).index("TransactWriteItems") + 1
    expected = [*list(unsharded)[:first], "BatchGetItem", "TransactWriteItems", *list(unsharded)[first:]]
    assert list(full) == expected, "a full shard: the shards' batch read and one more transaction"


def test_a_sharded_box_reserves_its_tickets_on_the_shards_and_refuses_a_ten_draw_it_cannot_hold(
    api: Api, standins: Standins
) -> None:
    from formats_support import box_body, open_sale

    vt = approved(api, "vt-box")
    asset = validated_asset(api, vt)
    created = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=box_body(asset, (2, 5, 13), stock_shards=4)
    )
    assert created.status == 201, created.body
    gacha_id = str(created.json()["gacha_id"])
    open_sale(gacha_id)
    gacha = Gacha.get(gacha_id)
    assert int(gacha.total_stock) == 20 and stock.shard_count(gacha) == 4  # 5 tickets a shard
    assert purchase(api, fan("fan-1"), gacha_id, count=10).status == 201  # spans two shards
    for i in range(5):
        assert purchase(api, fan(f"fan-s{i}"), gacha_id).status == 201
    assert sum(shard_sold(gacha_id)) == 15
    refused = purchase(api, fan("fan-2"), gacha_id, count=10)
    assert refused.status == 409 and refused.json()["error"]["code"] == "NOT_ENOUGH_TICKETS"
    assert refused.json()["error"]["details"]["remaining"] == 5
    stock.forget_sums()
    live = api.get(f"/api/gachas/{gacha_id}/box")
    assert live.status == 200 and live.json()["reserved"] == 15, live.body
    assert invariants.check_all(settled=False) == []
