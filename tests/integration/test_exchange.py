"""The exchange shop: item creation by VTubers, the list, and the trade as one transaction."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from exchange_support import Shop, create_item, fan, give_medals, item_body, shop, trade
from support import Api
from vtuber_support import admin, iso, request_upload

from bench.dynamodb_calls import count_dynamodb_calls
from oshi.kernel import clock
from oshi.kernel.errors import DomainError
from oshi.kernel.ids import new_id
from oshi.models.exchange import Exchange, ExchangeItem
from oshi.models.rewards import MedalBalance, MedalLedgerEntry, Reward, fan_vtuber
from oshi.rewards import exchange, queries
from oshi.rewards import shop as shop_list


@pytest.fixture(autouse=True)
def _fresh_terms() -> None:
    exchange.forget_terms()  # each test has a fresh moto: forget the previous test's item terms


def balance(fan_id: str, vtuber_id: str) -> int:
    return int(MedalBalance.get(fan_id, vtuber_id, consistent_read=True).balance)


def box(fan_id: str) -> list[Reward]:
    return list(Reward.query(fan_id, consistent_read=True))


def listed(api: Api, token: str, s: Shop) -> Any:
    return api.get(f"/api/exchange/items?vtuber_id={s.vt.vtuber_id}", token=token)


# --- creation ---------------------------------------------------------------------------------------------
def test_vtuber_creates_an_item_and_fans_see_it_with_their_count(api: Api) -> None:
    s = shop(api)
    created = create_item(api, s, stock=20)
    assert (created["cost"], created["per_user_limit"], created["stock"], created["remaining"]) == (
        30,
        5,
        20,
        20,
    )
    response = listed(api, fan("fan-1"), s)
    assert response.status == 200, response.body
    [item] = response.json()["items"]
    assert item["item_id"] == created["item_id"]
    assert (item["your_count"], item["state"], item["remaining"], item["type"]) == (
        0,
        "on_sale",
        20,
        "image/png",
    )
    cache = response.headers["Cache-Control"]
    assert cache.startswith("private, max-age=")
    assert 0 < int(cache.split("=")[1]) <= shop_list.EXCHANGE_ITEMS_TTL


def test_item_list_cache_never_crosses_the_sale_start(api: Api) -> None:
    s = shop(api)
    soon = datetime.now(UTC) + timedelta(seconds=90)
    create_item(api, s, starts_at=iso(soon))
    response = listed(api, fan("fan-1"), s)
    assert response.json()["items"][0]["state"] == "upcoming"
    assert int(response.headers["Cache-Control"].split("=")[1]) <= 90


@pytest.mark.parametrize(
    ("overrides", "field", "kind"),
    [
        ({"cost": 0}, "cost", "cost_out_of_bounds"),
        ({"per_user_limit": 0}, "per_user_limit", "limit_out_of_bounds"),
        ({"stock": 0}, "stock", "stock_out_of_bounds"),
        ({"starts_at": iso(datetime.now(UTC) + timedelta(days=9))}, "ends_at", "window_inverted"),
        (
            {
                "starts_at": iso(datetime.now(UTC) - timedelta(days=9)),
                "ends_at": iso(datetime.now(UTC) - timedelta(days=1)),
            },
            "ends_at",
            "window_past",
        ),
        ({"complete_set_bonus": True}, "complete_set_bonus", "complete_gacha_forbidden"),
        ({"asset_id": new_id()}, "asset_id", "asset_not_found"),
    ],
)
def test_item_validation(api: Api, overrides: dict[str, Any], field: str, kind: str) -> None:
    s = shop(api)
    response = api.post(
        "/api/vtuber/exchange-items", token=s.vt.token, json_body=item_body(s.asset_id) | overrides
    )
    assert response.status == 422, response.body
    assert response.json()["error"]["code"] == "EXCHANGE_ITEM_INVALID"
    assert {(d["field"], d["type"]) for d in response.json()["error"]["details"]} == {(field, kind)}
    assert list(ExchangeItem.scan()) == []


def test_item_must_grant_the_vtubers_own_validated_asset(api: Api) -> None:
    s = shop(api)
    other = shop(api, "vt-2")
    response = api.post("/api/vtuber/exchange-items", token=s.vt.token, json_body=item_body(other.asset_id))
    assert response.status == 422
    assert response.json()["error"]["details"][0]["type"] == "asset_not_found"
    pending = request_upload(api, s.vt).json()["asset_id"]
    response = api.post("/api/vtuber/exchange-items", token=s.vt.token, json_body=item_body(pending))
    assert response.status == 422
    assert response.json()["error"]["details"][0]["type"] == "asset_not_validated"


def test_only_approved_vtubers_create_items(api: Api) -> None:
    s = shop(api)
    assert (
        api.post("/api/vtuber/exchange-items", token=fan("fan-1"), json_body=item_body(s.asset_id)).status
        == 403
    )
    api.post(f"/api/admin/vtubers/{s.vt.vtuber_id}/suspend", token=admin(), json_body={"reason": "terms"})
    response = api.post("/api/vtuber/exchange-items", token=s.vt.token, json_body=item_body(s.asset_id))
    assert (response.status, response.json()["error"]["code"]) == (403, "VTUBER_NOT_APPROVED")


# --- the trade --------------------------------------------------------------------------------------------
def test_trade_debits_counts_decrements_stock_records_and_grants_in_one_call(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, stock=10)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    first = trade(api, fan("fan-1"), item["item_id"], quantity=1)  # also loads the item's terms
    assert first.status == 201, first.body
    with count_dynamodb_calls() as calls:
        response = trade(api, fan("fan-1"), item["item_id"], quantity=2)
    assert response.status == 201, response.body
    assert dict(calls.calls) == {"TransactWriteItems": 1}  # the one transaction, nothing else
    out = response.json()
    assert (out["quantity"], out["medals_spent"], out["replayed"]) == (2, 60, False)
    assert balance("fan-1", s.vt.vtuber_id) == 100 - 30 - 60
    rewards = {r.reward_id: r for r in box("fan-1")}
    assert set(out["reward_ids"]) <= set(rewards) and len(rewards) == 3
    granted = rewards[out["reward_ids"][0]]
    assert (granted.source, granted.item_id, granted.asset_id, granted.name) == (
        "exchange",
        item["item_id"],
        s.asset_id,
        "Signed wallpaper",
    )
    ledger = {e.source_id: int(e.delta) for e in MedalLedgerEntry.query(fan_vtuber("fan-1", s.vt.vtuber_id))}
    assert ledger[out["exchange_id"]] == -60
    [view] = listed(api, fan("fan-1"), s).json()["items"]
    assert (view["your_count"], view["remaining"]) == (3, 7)
    assert queries.check_ledger().ok


def test_insufficient_medals_gives_the_shortfall_and_changes_nothing(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, stock=10)
    give_medals("fan-1", s.vt.vtuber_id, 40)
    response = trade(api, fan("fan-1"), item["item_id"], quantity=2)
    assert response.status == 409
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_MEDALS"
    assert error["details"] == {"required": 60, "balance": 40, "shortfall": 20}
    assert balance("fan-1", s.vt.vtuber_id) == 40
    assert box("fan-1") == [] and list(Exchange.scan()) == []
    [view] = listed(api, fan("fan-1"), s).json()["items"]
    assert (view["your_count"], view["remaining"]) == (0, 10)
    no_medals = trade(api, fan("fan-2"), item["item_id"])
    assert no_medals.json()["error"]["details"] == {"required": 30, "balance": 0, "shortfall": 30}


def test_limit_reached(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, per_user_limit=2)
    give_medals("fan-1", s.vt.vtuber_id, 1000)
    assert trade(api, fan("fan-1"), item["item_id"], quantity=2).status == 201
    again = trade(api, fan("fan-1"), item["item_id"])
    assert (again.status, again.json()["error"]["code"]) == (409, "EXCHANGE_LIMIT_REACHED")
    assert again.json()["error"]["details"] == {"limit": 2, "your_count": 2, "requested": 1}
    too_many = trade(api, fan("fan-2"), item["item_id"], quantity=3)
    assert (too_many.status, too_many.json()["error"]["code"]) == (409, "EXCHANGE_LIMIT_REACHED")
    assert balance("fan-1", s.vt.vtuber_id) == 1000 - 60
    assert len(box("fan-1")) == 2


def test_sold_out(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, stock=1)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    give_medals("fan-2", s.vt.vtuber_id, 100)
    assert trade(api, fan("fan-1"), item["item_id"]).status == 201
    late = trade(api, fan("fan-2"), item["item_id"])
    assert (late.status, late.json()["error"]["code"]) == (409, "SOLD_OUT")
    assert balance("fan-2", s.vt.vtuber_id) == 100 and box("fan-2") == []
    assert listed(api, fan("fan-2"), s).json()["items"][0]["state"] == "sold_out"


def test_outside_the_window(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    s = shop(api)
    now = datetime.now(UTC)
    upcoming = create_item(
        api, s, starts_at=iso(now + timedelta(hours=1)), ends_at=iso(now + timedelta(hours=2))
    )
    give_medals("fan-1", s.vt.vtuber_id, 100)
    early = trade(api, fan("fan-1"), upcoming["item_id"])
    assert (early.status, early.json()["error"]["code"]) == (409, "EXCHANGE_NOT_OPEN")
    later = now.timestamp() + 3 * 3600
    monkeypatch.setattr(clock, "now", lambda: later)
    closed = trade(api, fan("fan-1"), upcoming["item_id"])
    assert (closed.status, closed.json()["error"]["code"]) == (409, "EXCHANGE_CLOSED")
    assert balance("fan-1", s.vt.vtuber_id) == 100 and box("fan-1") == []


def test_suspended_vtubers_shop_stops_selling(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    assert trade(api, fan("fan-1"), item["item_id"]).status == 201  # terms now cached in the function
    suspended = api.post(
        f"/api/admin/vtubers/{s.vt.vtuber_id}/suspend", token=admin(), json_body={"reason": "x"}
    )
    assert suspended.status == 200, suspended.body
    response = trade(api, fan("fan-1"), item["item_id"])
    assert (response.status, response.json()["error"]["code"]) == (409, "EXCHANGE_CLOSED")
    assert balance("fan-1", s.vt.vtuber_id) == 70
    assert listed(api, fan("fan-1"), s).json()["items"][0]["state"] == "suspended"


def test_unknown_item_and_bad_requests(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s)
    missing = trade(api, fan("fan-1"), new_id())
    assert (missing.status, missing.json()["error"]["code"]) == (404, "EXCHANGE_ITEM_NOT_FOUND")
    no_key = api.post("/api/exchange/trade", token=fan("fan-1"), json_body={"item_id": item["item_id"]})
    assert (no_key.status, no_key.json()["error"]["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    zero = trade(api, fan("fan-1"), item["item_id"], quantity=0)
    assert zero.status == 422
    assert api.get("/api/exchange/items?vtuber_id=" + new_id(), token=fan("fan-1")).status == 404


# --- idempotency ---------------------------------------------------------------------------------------------
def test_a_retried_trade_returns_the_first_result_and_never_trades_twice(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    key = "trade-" + new_id()
    first = trade(api, fan("fan-1"), item["item_id"], key=key)
    assert first.status == 201
    with count_dynamodb_calls() as calls:
        again = trade(api, fan("fan-1"), item["item_id"], key=key)
    assert again.status == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert dict(calls.calls) == {"TransactWriteItems": 1, "GetItem": 1}  # a retried key costs one read
    assert {k: v for k, v in again.json().items() if k != "replayed"} == {
        k: v for k, v in first.json().items() if k != "replayed"
    }
    assert balance("fan-1", s.vt.vtuber_id) == 70 and len(box("fan-1")) == 1
    other = trade(api, fan("fan-1"), item["item_id"], quantity=2, key=key)
    assert (other.status, other.json()["error"]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    # another fan's identical key is their own trade
    give_medals("fan-2", s.vt.vtuber_id, 30)
    assert trade(api, fan("fan-2"), item["item_id"], key=key).status == 201


def test_a_conflicting_transaction_is_retried(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto never reports TransactionConflict; inject one to exercise the retry."""
    from pynamodb.exceptions import TransactWriteError

    from oshi.kernel import txn as txn_module

    s = shop(api)
    item = create_item(api, s)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    original = txn_module.Txn.commit
    failures = iter([True, True])

    def flaky(self: Any) -> None:
        if next(failures, False):
            raise TransactWriteError("conflict", cause=_conflict())
        original(self)

    monkeypatch.setattr(txn_module.Txn, "commit", flaky)
    response = trade(api, fan("fan-1"), item["item_id"])
    assert response.status == 201, response.body
    assert balance("fan-1", s.vt.vtuber_id) == 70


def _conflict() -> Exception:
    from pynamodb.exceptions import CancellationReason, VerboseClientError

    return VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code="TransactionConflict"), None],
    )


# --- concurrency (in-process; the same over HTTP is in tests/e2e/test_exchange_over_http.py) -------------
def _race(fan_id: str, item_id: str, n: int) -> list[str]:
    start = threading.Barrier(min(n, 20))

    def one(_: int) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=5)
        try:
            exchange.trade(fan_id, item_id, 1, new_id())
            return "ok"
        except DomainError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=20) as pool:
        return list(pool.map(one, range(n)))


def test_100_concurrent_trades_against_a_balance_for_10(api: Api, atomic_moto: None) -> None:
    s = shop(api)
    item = create_item(api, s, cost=7, per_user_limit=1000)
    give_medals("fan-1", s.vt.vtuber_id, 75)  # covers 10 trades, not 11
    outcomes = _race("fan-1", item["item_id"], 100)
    assert outcomes.count("ok") == 10
    assert set(outcomes) == {"ok", "INSUFFICIENT_MEDALS"}
    assert balance("fan-1", s.vt.vtuber_id) == 5
    assert len(box("fan-1")) == 10
    assert queries.check_ledger().ok


def test_a_limit_of_one_is_never_exceeded(api: Api, atomic_moto: None) -> None:
    s = shop(api)
    item = create_item(api, s, cost=1, per_user_limit=1)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    outcomes = _race("fan-1", item["item_id"], 40)
    assert outcomes.count("ok") == 1
    assert set(outcomes) == {"ok", "EXCHANGE_LIMIT_REACHED"}
    assert balance("fan-1", s.vt.vtuber_id) == 99 and len(box("fan-1")) == 1


def test_trades_are_decided_on_the_table_not_on_cached_terms(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, cost=10)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    assert trade(api, fan("fan-1"), item["item_id"]).status == 201  # the function now caches the terms
    # the terms change behind the cache (a new version): the trade is priced on the new terms
    ExchangeItem(item["item_id"]).update(actions=[ExchangeItem.cost.set(25), ExchangeItem.version.add(1)])
    response = trade(api, fan("fan-1"), item["item_id"])
    assert (response.status, response.json()["medals_spent"]) == (201, 25)
    assert balance("fan-1", s.vt.vtuber_id) == 100 - 10 - 25
    # withdrawn behind the cache: refused, nothing taken
    ExchangeItem(item["item_id"]).update(actions=[ExchangeItem.status.set("withdrawn")])
    closed = trade(api, fan("fan-1"), item["item_id"])
    assert (closed.status, closed.json()["error"]["code"]) == (409, "EXCHANGE_CLOSED")
    assert balance("fan-1", s.vt.vtuber_id) == 65 and len(box("fan-1")) == 2


def test_the_public_profile_lists_the_vtubers_exchange_items(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, cost=5)
    profile = api.get(f"/api/vtubers/{s.vt.vtuber_id}")
    assert profile.status == 200, profile.body
    [listed] = profile.json()["exchange_items"]
    assert (listed["item_id"], listed["cost"]) == (item["item_id"], 5)
    assert int(profile.headers["Cache-Control"].split("max-age=")[1]) <= 300  # the 5-minute item TTL
