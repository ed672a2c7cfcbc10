"""Medal balances, the ledger, and the proof that every balance equals its ledger's sum."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from exchange_support import create_item, fan, give_medals, shop, trade
from support import Api
from vtuber_support import admin

from oshi.kernel.ids import new_id
from oshi.kernel.txn import Txn
from oshi.models.rewards import LedgerKind, MedalBalance
from oshi.rewards import exchange, medals, queries


@pytest.fixture(autouse=True)
def _fresh_terms() -> None:
    exchange.forget_terms()


def test_balances_per_vtuber_with_totals(api: Api) -> None:
    s = shop(api)
    other = shop(api, "vt-2")
    give_medals("fan-1", s.vt.vtuber_id, 50)
    give_medals("fan-1", s.vt.vtuber_id, 20)
    give_medals("fan-1", other.vt.vtuber_id, 5)
    item = create_item(api, s, cost=30)
    assert trade(api, fan("fan-1"), item["item_id"]).status == 201
    response = api.get("/api/medals", token=fan("fan-1"))
    assert response.status == 200, response.body
    assert response.headers["Cache-Control"] == "private, no-cache"
    out = response.json()
    by_vtuber = {b["vtuber_id"]: (b["balance"], b["earned"], b["spent"]) for b in out["items"]}
    assert by_vtuber == {s.vt.vtuber_id: (40, 70, 30), other.vt.vtuber_id: (5, 5, 0)}
    assert (out["total_balance"], out["total_earned"], out["total_spent"]) == (45, 75, 30)
    assert api.get("/api/medals", token=fan("fan-2")).json()["items"] == []


def test_history_is_the_ledger_newest_first_paginated(api: Api) -> None:
    s = shop(api)
    sources = [give_medals("fan-1", s.vt.vtuber_id, n) for n in (1, 2, 3, 4, 5)]
    item = create_item(api, s, cost=6)
    spent = trade(api, fan("fan-1"), item["item_id"]).json()["exchange_id"]
    seen: list[tuple[str, int, str]] = []
    cursor = ""
    while True:
        response = api.get(f"/api/medals/{s.vt.vtuber_id}/history?limit=4{cursor}", token=fan("fan-1"))
        assert response.status == 200, response.body
        seen += [(e["source_id"], e["delta"], e["kind"]) for e in response.json()["items"]]
        if not response.json()["next_cursor"]:
            break
        cursor = "&cursor=" + response.json()["next_cursor"]
    expected = [(spent, -6, "spend")] + [
        (src, n, "earn") for src, n in reversed(list(zip(sources, (1, 2, 3, 4, 5), strict=True)))
    ]
    assert seen == expected
    assert sum(delta for _, delta, _ in seen) == 15 - 6
    assert api.get(f"/api/medals/{s.vt.vtuber_id}/history", token=fan("fan-2")).json()["items"] == []


def test_ledger_equals_balance_and_the_admin_report_proves_it(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, cost=3)
    for fan_id in ("fan-1", "fan-2", "fan-3"):
        give_medals(fan_id, s.vt.vtuber_id, 10)
        trade(api, fan(fan_id), item["item_id"], quantity=2)
        trade(api, fan(fan_id), item["item_id"], quantity=2)  # refused for some: 12 > 10
    clawback = Txn()  # a refund's claw-back goes through the same ledger
    medals.debit(clawback, "fan-1", s.vt.vtuber_id, 1, new_id(), datetime.now(UTC), kind=LedgerKind.CLAWBACK)
    clawback.commit()
    report = queries.check_ledger()
    assert report.ok and report.balances_checked == 3 and report.ledger_entries == 3 + 3 + 1
    response = api.get("/api/admin/medals/report", token=admin())
    assert response.status == 200, response.body
    assert response.json() == {"ok": True, "balances_checked": 3, "ledger_entries": 7, "mismatches": []}

    # a balance changed outside oshi.rewards.medals is caught
    MedalBalance("fan-2", s.vt.vtuber_id).update(actions=[MedalBalance.balance.add(5)])
    mismatches = api.get("/api/admin/medals/report", token=admin()).json()["mismatches"]
    assert mismatches == [
        {
            "fan_id": "fan-2",
            "vtuber_id": s.vt.vtuber_id,
            "balance": {"balance": 9, "earned": 10, "spent": 6},
            "ledger": {"balance": 4, "earned": 10, "spent": 6, "entries": 2},
        }
    ]


def test_the_report_is_for_admins_only(api: Api) -> None:
    assert api.get("/api/admin/medals/report", token=fan("fan-1")).status == 403
