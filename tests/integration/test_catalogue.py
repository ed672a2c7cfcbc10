"""The public catalogue: rate disclosure matching the stored rates, caching, pagination, profiles."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from support import Api
from vtuber_support import Vt, admin, apply, approved, gacha_body, iso, validated_asset

from oshi.catalogue import storefront
from oshi.draw import rates
from oshi.kernel import clock
from oshi.models.gachas import Gacha, Prize


def publish(api: Api, vt: Vt, assets: list[str], **overrides: Any) -> str:
    response = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body(assets, publish=True, **overrides)
    )
    assert response.status == 201, response.body
    return str(response.json()["gacha_id"])


def test_disclosure_numbers_match_the_stored_rates_exactly(api: Api) -> None:
    vt = approved(api)
    assets = [validated_asset(api, vt), validated_asset(api, vt)]
    gacha_id = publish(api, vt, assets, total_stock=1000)
    response = api.get(f"/api/gachas/{gacha_id}")  # no token: public
    assert response.status == 200
    d = response.json()

    gacha = Gacha.get(gacha_id)
    stored = {p.prize_id: p for p in Prize.query(gacha_id)}
    entries, min_rarity = rates.entries_from_document(gacha.rate_table)
    assert [(p["prize_id"], p["rarity"], p["rate_ppm"]) for p in d["prizes"]] == [
        (e.prize_id, e.rarity, e.ppm) for e in entries
    ]
    assert all(p["rate_ppm"] == stored[p["prize_id"]].rate_ppm for p in d["prizes"])
    assert sum(p["rate_ppm"] for p in d["prizes"]) == 1_000_000
    assert [p["rate_percent"] for p in d["prizes"]] == ["60.0000", "30.0000", "9.0000", "0.9900", "0.0100"]
    assert d["rarity_totals"] == [
        {"rarity": "UR", "rate_ppm": 100, "rate_percent": "0.0100"},
        {"rarity": "SSR", "rate_ppm": 9_900, "rate_percent": "0.9900"},
        {"rarity": "SR", "rate_ppm": 90_000, "rate_percent": "9.0000"},
        {"rarity": "R", "rate_ppm": 300_000, "rate_percent": "30.0000"},
        {"rarity": "N", "rate_ppm": 600_000, "rate_percent": "60.0000"},
    ]
    guarantee = d["guarantee"]
    assert guarantee["min_rarity"] == "SR" and guarantee["batch_size"] == 10
    assert [(s["prize_id"], s["rate_ppm"]) for s in guarantee["slot_rates"]] == [
        (e["prize_id"], e["ppm"]) for e in gacha.rate_table["guarantee"]["entries"]
    ]
    assert [s["rate_ppm"] for s in guarantee["slot_rates"]] == [900_000, 99_000, 1_000]
    assert d["price_single"] == 300 and d["price_ten"] == 3000 and d["currency"] == "JPY"
    assert d["stock"] == {"total": 1000, "remaining": 1000}
    assert d["prizes"][4]["stock"] == {"total": 3, "remaining": 3} and d["prizes"][0]["stock"] is None
    assert d["rate_table"] == {"version": 1, "hash": gacha.rate_table_hash, "ppm_total": 1_000_000}

    rarest = d["rarest_prize"]
    assert rarest["prize_id"] == "p05" and rarest["rate_ppm"] == 100
    assert rarest["single_draws"]["expected_draws"] == {"exact": "10000", "rounded": "10000.00"}
    assert rarest["single_draws"]["expected_yen"] == {"exact": "3000000", "rounded": "3000000"}
    tens = 1 / rates.p_hit_in_ten(entries, "p05", min_rarity)
    ten = rarest["ten_draws"]
    assert Fraction(ten["expected_ten_draws"]["exact"]) == tens
    assert Fraction(ten["expected_yen"]["exact"]) == tens * 3000
    assert ten["expected_ten_draws"]["rounded"] == rates.round_half_up(tens, 2)
    # Without the guarantee ~1000.5 ten-draws; slot 10 gives UR 1,000 ppm after nine non-SR+ (0.9^9 of the time).
    assert ten["expected_ten_draws"]["rounded"] == "741.71"
    assert d["notes"] and "proportion" in d["notes"][0]


def test_cache_headers_never_outlive_the_sale_start_and_etag_gives_304(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    vt = approved(api)
    assets = [validated_asset(api, vt)]
    now = datetime.now(UTC)
    later = publish(api, vt, assets, starts_at=iso(now + timedelta(hours=5)))
    soon = publish(api, vt, assets, starts_at=iso(now + timedelta(minutes=10)))

    far = api.get(f"/api/gachas/{later}")
    assert far.headers["Cache-Control"] == "public, max-age=3600"
    etag = far.headers["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    again = api.get(f"/api/gachas/{later}", headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["ETag"] == etag

    near = api.get(f"/api/gachas/{soon}")
    max_age = int(near.headers["Cache-Control"].split("max-age=")[1])
    assert 590 <= max_age <= 600  # capped at the sale start
    listing = api.get("/api/gachas")
    assert int(listing.headers["Cache-Control"].split("max-age=")[1]) <= 600

    # On sale with limited prizes: remaining stock is shown, so a short TTL.
    monkeypatch.setattr(clock, "now", lambda: (now + timedelta(minutes=11)).timestamp())
    on_sale = api.get(f"/api/gachas/{soon}")
    assert on_sale.json()["sale_state"] == "on_sale"
    assert on_sale.headers["Cache-Control"] == "public, max-age=60"
    assert on_sale.headers["ETag"] != near.headers["ETag"]


def test_listing_filters_and_paginates_with_an_opaque_cursor(api: Api) -> None:
    vt = approved(api)
    other = approved(api, "vt-other")
    assets = [validated_asset(api, vt)]
    other_assets = [validated_asset(api, other)]
    now = datetime.now(UTC)
    ids = [publish(api, vt, assets, starts_at=iso(now + timedelta(hours=h))) for h in (1, 2, 3)]
    theirs = publish(api, other, other_assets)
    draft = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body(assets)).json()[
        "gacha_id"
    ]

    first = api.get(f"/api/gachas?vtuber_id={vt.vtuber_id}&limit=2").json()
    assert [g["gacha_id"] for g in first["items"]] == [ids[2], ids[1]]  # latest start first
    assert first["next_cursor"]
    second = api.get(f"/api/gachas?vtuber_id={vt.vtuber_id}&limit=2&cursor={first['next_cursor']}").json()
    assert [g["gacha_id"] for g in second["items"]] == [ids[0]]

    everything = api.get("/api/gachas?limit=50").json()
    listed = {g["gacha_id"] for g in everything["items"]}
    assert listed == {*ids, theirs} and draft not in listed
    assert {g["sale_state"] for g in everything["items"]} == {"upcoming"}
    assert api.get("/api/gachas?status=on_sale").json()["items"] == []
    assert len(api.get("/api/gachas?status=upcoming").json()["items"]) == 4

    bad_cursor = api.get("/api/gachas?cursor=not-a-cursor")
    assert bad_cursor.status == 400 and bad_cursor.json()["error"]["code"] == "INVALID_CURSOR"
    # A cursor from one listing is not accepted by another.
    assert api.get(f"/api/gachas?cursor={first['next_cursor']}").status == 400
    assert api.get("/api/gachas?limit=500").status == 422
    assert api.get("/api/gachas?status=whatever").status == 422
    assert api.get(f"/api/gachas/{draft}").status == 404
    assert api.get("/api/gachas/nope").json()["error"]["code"] == "GACHA_NOT_FOUND"


def test_vtuber_profile_and_suspension(api: Api) -> None:
    vt = approved(api)
    assets = [validated_asset(api, vt)]
    gacha_id = publish(api, vt, assets)
    profile = api.get(f"/api/vtubers/{vt.vtuber_id}")
    assert profile.status == 200
    body = profile.json()
    assert body["channel_name"] == "Hoshino Test" and body["status"] == "active"
    assert [g["gacha_id"] for g in body["gachas"]] == [gacha_id]
    assert "user_id" not in body
    assert int(profile.headers["Cache-Control"].split("max-age=")[1]) <= 2 * 3600  # capped at the sale start
    assert profile.headers["ETag"]

    pending = apply(api, "vt-pending")
    assert api.get(f"/api/vtubers/{pending}").status == 404

    api.post(f"/api/admin/vtubers/{vt.vtuber_id}/suspend", token=admin(), json_body={"reason": "ToS"})
    assert api.get(f"/api/gachas/{gacha_id}").json()["sale_state"] == "suspended"
    assert api.get(f"/api/vtubers/{vt.vtuber_id}").json()["status"] == "suspended"
    assert api.get("/api/gachas").json()["items"][0]["sale_state"] == "suspended"


def test_cached_pages_send_the_storefront_documents_unchanged_through_their_models(api: Api) -> None:
    """The pages are their response model's ``model_dump_json``: the same fields and values the storefront
    builds (timestamps as ``isoformat()`` writes them), and the ETag is the hash of the bytes sent."""
    vt = approved(api)
    gacha_id = publish(api, vt, [validated_asset(api, vt), validated_asset(api, vt)], total_stock=500)
    at = clock.utc_now()
    gacha = storefront.public_gacha(gacha_id)
    owner = storefront.vtuber_statuses([gacha]).get(gacha.owner_user_id)

    detail = api.get(f"/api/gachas/{gacha_id}")
    expected = storefront.disclosure(gacha, storefront.prizes_of(gacha_id), owner, at).document
    assert detail.json() == json.loads(json.dumps(expected))
    assert detail.json()["starts_at"] == gacha.starts_at.isoformat()
    assert detail.headers["ETag"] == storefront.etag(detail.body)

    listing = api.get(f"/api/gachas?vtuber_id={vt.vtuber_id}").json()
    assert listing == {"items": [storefront.summary(gacha, owner, at)], "next_cursor": None}
