"""What the fan app reads: catalogue search and sort, the VTuber list, the caller's spending, and the
order's payment block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from payment_support import (
    birth_date_for_age,
    bus_fixture,  # noqa: F401
    fan,
    gacha_on_sale,
    purchase,
    standins_fixture,  # noqa: F401
)
from support import Api, token_for
from vtuber_support import Vt, admin, apply, gacha_body, iso, validated_asset

from local.standins import Standins
from oshi.identity.principal import Role
from oshi.kernel import clock
from oshi.models.orders import Order


def _approved(api: Api, user_id: str, name: str) -> Vt:
    vtuber_id = apply(api, user_id, name)
    assert api.post(f"/api/admin/vtubers/{vtuber_id}/approve", token=admin()).status == 200
    return Vt(user_id, vtuber_id, token_for(user_id, Role.FAN, Role.VTUBER))


def _publish(api: Api, vt: Vt, assets: list[str], **overrides: Any) -> str:
    response = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body(assets, publish=True, **overrides)
    )
    assert response.status == 201, response.body
    return str(response.json()["gacha_id"])


def _ids(response: Any) -> list[str]:
    assert response.status == 200, response.body
    return [item["gacha_id"] for item in response.json()["items"]]


@pytest.fixture
def lineup(api: Api) -> dict[str, str]:
    """Four listed gachas from two VTubers, different titles, prices and sale windows."""
    now = datetime.now(UTC)
    hoshi = _approved(api, "vt-hoshi", "Hoshino Test")
    kuro = _approved(api, "vt-kuro", "Kuroneko Channel")
    h_assets = [validated_asset(api, hoshi)]
    k_assets = [validated_asset(api, kuro)]
    return {
        "summer": _publish(
            api,
            hoshi,
            h_assets,
            title="Summer voices",
            price_single=300,
            price_ten=3000,
            starts_at=iso(now + timedelta(hours=1)),
            ends_at=iso(now + timedelta(days=10)),
        ),
        "winter": _publish(
            api,
            hoshi,
            h_assets,
            title="Winter \uff33\uff2f\uff2e\uff27\uff33",  # full-width SONGS: found by "songs"
            price_single=100,
            price_ten=1000,
            starts_at=iso(now + timedelta(hours=3)),
            ends_at=iso(now + timedelta(days=5)),
        ),
        "cat": _publish(
            api,
            kuro,
            k_assets,
            title="Meow pack",
            price_single=500,
            price_ten=5000,
            starts_at=iso(now + timedelta(hours=2)),
            ends_at=iso(now + timedelta(days=20)),
        ),
        "kuro_vtuber": kuro.vtuber_id,
        "hoshi_vtuber": hoshi.vtuber_id,
    }


def test_q_matches_title_or_channel_name_in_any_case_and_width(api: Api, lineup: dict[str, str]) -> None:
    assert _ids(api.get("/api/gachas?q=summer")) == [lineup["summer"]]
    assert _ids(api.get("/api/gachas?q=songs")) == [lineup["winter"]]
    assert _ids(api.get("/api/gachas?q=KURONEKO")) == [lineup["cat"]]
    assert set(_ids(api.get("/api/gachas?q=hoshino"))) == {lineup["summer"], lineup["winter"]}
    assert _ids(api.get("/api/gachas?q=nothing-like-this")) == []
    assert _ids(api.get(f"/api/gachas?q=voices&vtuber_id={lineup['kuro_vtuber']}")) == []
    assert api.get("/api/gachas?q=" + "x" * 101).status == 422


def test_sort_orders_the_whole_listing_and_pages_with_a_cursor(api: Api, lineup: dict[str, str]) -> None:
    assert _ids(api.get("/api/gachas?sort=price_asc")) == [lineup["winter"], lineup["summer"], lineup["cat"]]
    assert _ids(api.get("/api/gachas?sort=price_desc")) == [lineup["cat"], lineup["summer"], lineup["winter"]]
    assert _ids(api.get("/api/gachas?sort=newest")) == [lineup["winter"], lineup["cat"], lineup["summer"]]
    assert _ids(api.get("/api/gachas?sort=starts_soon")) == [
        lineup["summer"],
        lineup["cat"],
        lineup["winter"],
    ]

    first = api.get("/api/gachas?sort=price_asc&limit=2")
    assert _ids(first) == [lineup["winter"], lineup["summer"]]
    cursor = first.json()["next_cursor"]
    second = api.get(f"/api/gachas?sort=price_asc&limit=2&cursor={cursor}")
    assert _ids(second) == [lineup["cat"]] and second.json()["next_cursor"] is None
    assert api.get("/api/gachas?sort=cheapest").status == 422
    bad = api.get("/api/gachas?sort=price_asc&cursor=not-a-cursor")
    assert (bad.status, bad.json()["error"]["code"]) == (400, "INVALID_CURSOR")


def test_ending_soon_puts_open_sales_first_by_their_end(
    api: Api, lineup: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    later = datetime.now(UTC) + timedelta(hours=4)  # all three on sale
    monkeypatch.setattr(clock, "now", lambda: later.timestamp())
    response = api.get("/api/gachas?sort=ending_soon&status=on_sale")
    assert _ids(response) == [lineup["winter"], lineup["summer"], lineup["cat"]]
    # Cached no longer than the first sale to end; each q/sort is its own URL, with its own ETag.
    max_age = int(response.headers["Cache-Control"].split("max-age=")[1])
    assert 0 < max_age <= 3600
    other = api.get("/api/gachas?sort=price_desc&status=on_sale")
    assert other.headers["ETag"] != response.headers["ETag"]
    again = api.get(
        "/api/gachas?sort=ending_soon&status=on_sale", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status == 304


def test_search_cache_lifetime_stops_at_the_next_sale_start(api: Api, lineup: dict[str, str]) -> None:
    response = api.get("/api/gachas?q=summer")
    assert int(response.headers["Cache-Control"].split("max-age=")[1]) <= 3600  # summer starts in 1 h
    # A gacha the state filter leaves out still bounds the lifetime: it enters the answer when it starts.
    upcoming_only = api.get("/api/gachas?sort=newest&status=on_sale")
    assert _ids(upcoming_only) == []
    assert int(upcoming_only.headers["Cache-Control"].split("max-age=")[1]) <= 3600


def test_vtubers_lists_only_approved_channels_with_pages(api: Api, lineup: dict[str, str]) -> None:
    apply(api, "vt-pending", "Pending Person")
    listed = api.get("/api/vtubers")
    assert listed.status == 200 and listed.headers["ETag"]
    names = {v["channel_name"] for v in listed.json()["items"]}
    assert names == {"Hoshino Test", "Kuroneko Channel"}
    assert all(
        set(v) == {"vtuber_id", "channel_name", "channel_url", "description"} for v in listed.json()["items"]
    )
    first = api.get("/api/vtubers?limit=1").json()
    second = api.get(f"/api/vtubers?limit=1&cursor={first['next_cursor']}").json()
    assert {first["items"][0]["vtuber_id"], second["items"][0]["vtuber_id"]} == {
        lineup["kuro_vtuber"],
        lineup["hoshi_vtuber"],
    }
    assert api.get("/api/vtubers?cursor=garbage").status == 400


def test_spending_shows_the_cap_and_what_pending_orders_reserve(api: Api, standins: Standins) -> None:
    adult = fan("fan-adult", birth_date=birth_date_for_age(30))
    body = api.get("/api/me/spending", token=adult).json()
    assert body["monthly_cap_jpy"] is None and body["remaining_jpy"] is None and body["spent_jpy"] == 0
    assert len(body["month"]) == 7

    minor = fan("fan-minor", birth_date=birth_date_for_age(14))  # under 16
    sale = gacha_on_sale(api, total_stock=5)
    assert purchase(api, minor, sale.gacha_id).status == 201  # 300 yen, pending
    body = api.get("/api/me/spending", token=minor).json()
    assert (body["monthly_cap_jpy"], body["spent_jpy"], body["remaining_jpy"]) == (5000, 300, 4700)
    assert api.get("/api/me/spending").status == 401


def test_order_payment_block_holds_only_what_checkout_returned(api: Api, standins: Standins) -> None:
    token = fan()
    card = purchase(api, token, gacha_on_sale(api, total_stock=5).gacha_id).json()
    read = api.get(f"/api/gacha/orders/{card['order_id']}", token=token).json()
    assert read["payment"] == {"method": "card", "checkout_url": card["redirect_url"], "konbini": None}
    standins.stripe.pay(Order.get(card["order_id"]).provider_session_id, "success")
    paid = api.get(f"/api/gacha/orders/{card['order_id']}", token=token).json()
    assert paid["status"] == "PAID" and paid["payment"] == {
        "method": "card",
        "checkout_url": None,
        "konbini": None,
    }

    other = gacha_on_sale(api, total_stock=5, user_id="vt-2")
    konbini = purchase(api, token, other.gacha_id, provider="komoju", method="konbini").json()
    read = api.get(f"/api/gacha/orders/{konbini['order_id']}", token=token).json()
    stored = Order.get(konbini["order_id"]).payment_expires_at
    assert (
        read["payment"]["method"] == "konbini" and read["payment"]["checkout_url"] == konbini["redirect_url"]
    )
    assert (
        read["payment"]["konbini"]["store"] is None and read["payment"]["konbini"]["instructions_url"] is None
    )
    assert datetime.fromisoformat(read["payment"]["konbini"]["deadline"]) == stored
