"""Sharded stock rules (oshi.catalogue.stock): allocation, the default shard count, placement, and the
purchase throttle tied to the shard arithmetic."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from oshi.catalogue import stock
from oshi.web import routes


def gacha(total: int | None, shards: int | None) -> Any:
    return SimpleNamespace(gacha_id="g", total_stock=total, stock_shards=shards)


@pytest.mark.parametrize("total,shards", [(10, 3), (7, 7), (100_003, 8), (1, 1), (31, 32)])
def test_the_allocations_split_the_stock_exactly(total: int, shards: int) -> None:
    parts = [stock.allocation(total, shards, k) for k in range(shards)]
    assert sum(parts) == total and max(parts) - min(parts) <= 1


def test_the_default_shard_count_follows_the_stock_size() -> None:
    assert stock.default_shards(None) == 1
    assert stock.default_shards(500) == 1
    assert stock.default_shards(stock.DRAWS_PER_SHARD) == 1
    assert stock.default_shards(stock.DRAWS_PER_SHARD + 1) == 2
    assert stock.default_shards(10**9) == stock.MAX_SHARDS


def test_an_unlimited_or_unsharded_gacha_is_one_shard() -> None:
    assert stock.shard_count(gacha(None, 4)) == 1
    assert stock.shard_count(gacha(100, None)) == 1
    assert not stock.is_sharded(gacha(100, 1)) and stock.is_sharded(gacha(100, 2))


def test_the_first_choice_is_random_among_shards_that_can_hold_the_draws() -> None:
    g = gacha(100, 4)
    seen = {next(iter(stock.first_choice(g, 1) or {})) for _ in range(200)}
    assert seen == {0, 1, 2, 3}
    assert stock.first_choice(gacha(12, 4), 10) is None  # 3 a shard: read the shards first


def test_a_plan_prefers_one_shard_then_spreads_and_refuses_only_when_all_are_short() -> None:
    g = gacha(20, 4)  # 5 a shard
    assert stock.plan(g, 3, [5, 5, 0, 5]) == {2: 3}  # the only shard with room for all three
    spread = stock.plan(g, 4, [3, 3, 4, 5])  # 2 + 2 + 1 + 0 left: no single shard holds 4
    assert spread is not None and sum(spread.values()) == 4 and 3 not in spread
    for k, n in spread.items():
        assert n <= stock.remaining(g, [3, 3, 4, 5])[k]
    assert stock.plan(g, 6, [3, 3, 4, 5]) is None  # 5 left in all
    assert stock.plan(g, 1, [5, 5, 5, 5]) is None  # sold out


def test_the_order_records_its_shards_as_json() -> None:
    assert stock.decode(stock.encode({3: 2, 0: 8})) == {0: 8, 3: 2}
    assert stock.decode(None) == {}
    assert stock.stock_failed({"stock:3"}) and stock.stock_failed({"stock"})
    assert not stock.stock_failed({"spending", "pending"})


def test_the_purchase_throttle_is_the_shard_arithmetic() -> None:
    assert routes.PURCHASE_RATE_PER_SHARD == stock.PLANNED_RATE_PER_SHARD
    assert routes.PURCHASE_STOCK_SHARDS <= stock.MAX_SHARDS
    expected = routes.PURCHASE_STOCK_SHARDS * stock.PLANNED_RATE_PER_SHARD
    assert routes.PURCHASE_THROTTLE.rate_per_second == expected == 2_000
    purchase = next(r for r in routes.ROUTES if r.handler == "gacha.purchase")
    assert purchase.throttle is routes.PURCHASE_THROTTLE
