"""Gacha creation and editing: every rule, one transaction, the event, and the freeze at sale start."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support import Api
from vtuber_support import (
    EXE,
    Vt,
    approved,
    gacha_body,
    iso,
    put_and_validate,
    request_upload,
    signed_in_again,
    validated_asset,
)

from oshi.catalogue import lineup
from oshi.draw import rates
from oshi.events import bus
from oshi.kernel import clock
from oshi.models.assets import Asset
from oshi.models.gachas import Gacha, Prize


@pytest.fixture
def published_events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    real_put = bus._put

    def capture(entries: list[dict[str, Any]]) -> None:
        sent.extend(entries)
        real_put(entries)

    monkeypatch.setattr(bus, "_put", capture)
    return sent


def two_assets(api: Api, vt: Vt) -> list[str]:
    return [validated_asset(api, vt), validated_asset(api, vt)]


def create(api: Api, vt: Vt, body: dict[str, Any]) -> Any:
    return api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)


def test_create_writes_gacha_lineup_and_links_in_one_go_and_publishes_an_event(
    api: Api, published_events: list[dict[str, Any]]
) -> None:
    vt = approved(api)
    assets = two_assets(api, vt)
    response = create(api, vt, gacha_body(assets))
    assert response.status == 201, response.body
    out = response.json()
    gacha_id = out["gacha_id"]
    assert out["status"] == "draft" and out["editable"] is True and out["version"] == 1
    assert [p["prize_id"] for p in out["prizes"]] == ["p01", "p02", "p03", "p04", "p05"]
    assert out["prizes"][4]["rate_ppm"] == 100 and out["prizes"][4]["rate_percent"] == "0.0100"

    gacha = Gacha.get(gacha_id)
    assert gacha.vtuber_id == vt.vtuber_id and gacha.rate_table_version == 1
    document = rates.rate_table_document(
        rates.lineup([("N", 600_000), ("R", 300_000), ("SR", 90_000), ("SSR", 9_900), ("UR", 100)]), "SR"
    )
    assert gacha.rate_table == document
    assert gacha.rate_table_hash == rates.table_hash(document) == out["rate_table"]["hash"]
    prizes = list(Prize.query(gacha_id))
    assert [(p.prize_id, p.rate_ppm, p.stock, p.remaining) for p in prizes] == [
        ("p01", 600_000, None, None),
        ("p02", 300_000, None, None),
        ("p03", 90_000, None, None),
        ("p04", 9_900, 50, 50),
        ("p05", 100, 3, 3),
    ]
    for asset_id in assets:
        assert Asset.get(vt.vtuber_id, asset_id).linked_gachas == {gacha_id}

    [event] = [e for e in published_events if e["DetailType"] == "GachaCreated"]
    data = json.loads(event["Detail"])["data"]
    assert data["gacha_id"] == gacha_id and data["rate_table_hash"] == gacha.rate_table_hash

    mine = api.get("/api/vtuber/gachas", token=vt.token).json()["items"]
    assert [g["gacha_id"] for g in mine] == [gacha_id]

    form = api.get("/api/vtuber/gacha/new", token=vt.token).json()
    assert sorted(a["asset_id"] for a in form["assets"]) == sorted(assets)
    assert form["rarities"] == ["N", "R", "SR", "SSR", "UR"] and form["limits"]["ppm_total"] == 1_000_000


def prize(rarity: str, ppm: Any, asset: str, **extra: Any) -> dict[str, Any]:
    return {"name": f"{rarity} prize", "rarity": rarity, "rate_ppm": ppm, "asset_ids": [asset], **extra}


def test_each_validation_rule_gives_a_field_error_and_writes_nothing(api: Api) -> None:
    vt = approved(api)
    a, b = two_assets(api, vt)
    other = approved(api, "vt-other")
    foreign = validated_asset(api, other)
    pending = request_upload(api, vt).json()["asset_id"]
    rejected = request_upload(api, vt, "video/mp4").json()["asset_id"]
    put_and_validate(vt.vtuber_id, rejected, EXE)
    now = datetime.now(UTC)

    # (overrides, expected error code, expected field, expected detail type)
    cases: list[tuple[dict[str, Any], str, str, str]] = [
        (
            {"prizes": [prize("N", 600_000, a), prize("SR", 399_999, b)]},
            "GACHA_INVALID",
            "prizes",
            "rates_do_not_sum",
        ),
        (
            {"prizes": [prize("N", 500_000.5, a), prize("SR", 499_999.5, b)]},
            "VALIDATION_FAILED",
            "prizes.0.rate_ppm",
            "int_type",
        ),
        (
            {"prizes": [prize("N", "600000", a), prize("SR", 400_000, b)]},
            "VALIDATION_FAILED",
            "prizes.0.rate_ppm",
            "int_type",
        ),
        (
            {"prizes": [prize("N", 1_000_000, a), prize("SR", 0, b)]},
            "GACHA_INVALID",
            "prizes.1.rate_ppm",
            "invalid_rate",
        ),
        (
            {"prizes": [prize("LR", 1_000_000, a)], "guarantee": None},
            "GACHA_INVALID",
            "prizes.0.rarity",
            "unknown_rarity",
        ),
        (
            {"prizes": [prize("N", 900_000, a), prize("R", 100_000, b)]},
            "GACHA_INVALID",
            "guarantee.min_rarity",
            "guarantee_unreachable",
        ),
        ({"price_single": 0}, "GACHA_INVALID", "price_single", "price_out_of_bounds"),
        ({"price_single": -300}, "GACHA_INVALID", "price_single", "price_out_of_bounds"),
        ({"price_single": 99_999}, "GACHA_INVALID", "price_single", "price_out_of_bounds"),
        ({"price_single": 300.0}, "VALIDATION_FAILED", "price_single", "int_type"),
        ({"price_ten": 3_001}, "GACHA_INVALID", "price_ten", "price_ten_above_singles"),
        ({"starts_at": iso(now - timedelta(minutes=1))}, "GACHA_INVALID", "starts_at", "start_in_past"),
        ({"ends_at": iso(now + timedelta(hours=1))}, "GACHA_INVALID", "ends_at", "end_before_start"),
        ({"ends_at": iso(now + timedelta(days=400))}, "GACHA_INVALID", "ends_at", "window_too_long"),
        ({"starts_at": "2030-01-01T00:00:00"}, "GACHA_INVALID", "starts_at", "naive_datetime"),
        ({"total_stock": 0}, "GACHA_INVALID", "total_stock", "out_of_bounds"),
        (
            {"prizes": [prize("N", 999_900, a), prize("SR", 100, b, stock=0)]},
            "GACHA_INVALID",
            "prizes.1.stock",
            "out_of_bounds",
        ),
        (
            {"prizes": [prize("N", 999_900, a), prize("SR", 100, foreign)]},
            "GACHA_INVALID",
            "prizes.1.asset_ids.0",
            "asset_not_found",
        ),
        (
            {"prizes": [prize("N", 999_900, a), prize("SR", 100, pending)]},
            "GACHA_INVALID",
            "prizes.1.asset_ids.0",
            "asset_not_validated",
        ),
        (
            {"prizes": [prize("N", 999_900, a), prize("SR", 100, rejected)]},
            "GACHA_INVALID",
            "prizes.1.asset_ids.0",
            "asset_not_validated",
        ),
        ({"complete_bonus": {"asset_ids": [a]}}, "VALIDATION_FAILED", "body", "complete_gacha_forbidden"),
        (
            {"prizes": [prize("N", 999_900, a), prize("SR", 100, b, collect_all_reward=a)]},
            "VALIDATION_FAILED",
            "body",
            "complete_gacha_forbidden",
        ),
        ({"bonus": "anything unknown"}, "VALIDATION_FAILED", "bonus", "extra_forbidden"),
    ]
    for overrides, code, field, kind in cases:
        response = create(api, vt, gacha_body([a, b], **overrides))
        error = response.json()["error"]
        assert response.status == 422, (overrides, response.body)
        assert error["code"] == code, (overrides, error)
        assert (field, kind) in {(d["field"], d["type"]) for d in error["details"]}, (overrides, error)
    assert list(Gacha.scan()) == [] and list(Prize.scan()) == []
    # The foreign VTuber's asset was not touched either.
    assert Asset.get(other.vtuber_id, foreign).linked_gachas is None


def test_an_asset_invalidated_before_commit_cancels_the_whole_transaction(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    vt = approved(api)
    a, b = two_assets(api, vt)
    stale = {asset_id: Asset.get(vt.vtuber_id, asset_id) for asset_id in (a, b)}
    Asset(vt.vtuber_id, b).update(actions=[Asset.status.set("rejected")])  # changed after the read
    monkeypatch.setattr(lineup, "owned_assets", lambda vtuber_id, ids: stale)
    response = create(api, vt, gacha_body([a, b]))
    assert response.status == 422
    assert response.json()["error"]["details"][0]["type"] == "asset_not_validated"
    assert list(Gacha.scan()) == [] and list(Prize.scan()) == []
    assert Asset.get(vt.vtuber_id, a).linked_gachas is None  # the other link was rolled back too


def test_a_draft_is_editable_with_versions_and_relinks_assets(api: Api) -> None:
    vt = approved(api)
    a, b = two_assets(api, vt)
    c = validated_asset(api, vt)
    created = create(api, vt, gacha_body([a, b])).json()
    gacha_id, first_hash = created["gacha_id"], created["rate_table"]["hash"]

    new_lineup = [prize("N", 900_000, a), prize("SSR", 100_000, c)]
    body = gacha_body([a, c], prizes=new_lineup, guarantee=None, version=1)
    response = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=vt.token, json_body=body)
    assert response.status == 200, response.body
    out = response.json()
    assert (
        out["version"] == 2 and out["rate_table"]["version"] == 2 and out["rate_table"]["hash"] != first_hash
    )
    assert [p.prize_id for p in Prize.query(gacha_id)] == ["p01", "p02"]  # p03..p05 deleted
    assert Asset.get(vt.vtuber_id, b).linked_gachas is None  # unlinked
    assert Asset.get(vt.vtuber_id, c).linked_gachas == {gacha_id}

    stale = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=vt.token, json_body=body)
    assert stale.status == 409 and stale.json()["error"]["code"] == "GACHA_EDIT_CONFLICT"
    # Same rates again: the rate table version does not move.
    same = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=vt.token, json_body={**body, "version": 2})
    assert same.json()["rate_table"]["version"] == 2 and same.json()["version"] == 3

    other = approved(api, "vt-other")
    foreign = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=other.token, json_body=body)
    assert foreign.status == 404 and foreign.json()["error"]["code"] == "GACHA_NOT_FOUND"


def test_lineup_is_frozen_once_the_sale_window_opens(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    vt = approved(api)
    a, b = two_assets(api, vt)
    starts = datetime.now(UTC) + timedelta(hours=1)
    body = gacha_body([a, b], starts_at=iso(starts), publish=True)
    created = create(api, vt, body).json()
    gacha_id = created["gacha_id"]
    assert created["status"] == "published"
    draft = create(api, vt, gacha_body([a, b], starts_at=iso(starts))).json()

    edit = {k: v for k, v in body.items() if k != "publish"}
    edit["starts_at"] = iso(
        starts + timedelta(hours=1)
    )  # a valid future start, so only the freeze can refuse
    # Before the start: editable.
    ok = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=vt.token, json_body=edit)
    assert ok.status == 200

    monkeypatch.setattr(clock, "now", lambda: (starts + timedelta(hours=1, seconds=1)).timestamp())
    vt = signed_in_again(vt)  # the old access token expired when the clock moved
    frozen = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=vt.token, json_body=edit)
    assert frozen.status == 409 and frozen.json()["error"]["code"] == "GACHA_FROZEN"
    assert Gacha.get(gacha_id).version == 2  # unchanged by the refused edit
    assert len(list(Prize.query(gacha_id))) == 5
    late = api.post(f"/api/vtuber/gacha/{draft['gacha_id']}/publish", token=vt.token)
    assert late.status == 409


def test_the_freeze_condition_holds_even_if_the_read_said_editable(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sale starts between the editable check and the write: the conditional put refuses it.
    vt = approved(api)
    a, b = two_assets(api, vt)
    starts = datetime.now(UTC) + timedelta(hours=1)
    body = gacha_body([a, b], starts_at=iso(starts), publish=True)
    gacha_id = create(api, vt, body).json()["gacha_id"]
    edit = {k: v for k, v in body.items() if k != "publish"}
    edit["starts_at"] = iso(starts + timedelta(hours=2))
    after_start = (starts + timedelta(seconds=1)).timestamp()
    monkeypatch.setattr(lineup, "check_spec", lambda spec, now: [])  # the new start would be "in the past"
    monkeypatch.setattr(lineup, "_refuse_edit", lambda *args: None)  # the stale read saw it editable
    monkeypatch.setattr(clock, "now", lambda: after_start)
    vt = signed_in_again(vt)  # the old access token expired when the clock moved
    response = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=vt.token, json_body=edit)
    assert response.status == 409
    assert Gacha.get(gacha_id).version == 1


def test_publish_a_draft(api: Api, published_events: list[dict[str, Any]]) -> None:
    vt = approved(api)
    a, b = two_assets(api, vt)
    gacha_id = create(api, vt, gacha_body([a, b])).json()["gacha_id"]
    assert api.get(f"/api/gachas/{gacha_id}").status == 404
    response = api.post(f"/api/vtuber/gacha/{gacha_id}/publish", token=vt.token)
    assert response.status == 200 and response.json()["status"] == "published"
    assert api.get(f"/api/gachas/{gacha_id}").status == 200
    assert "GachaPublished" in {e["DetailType"] for e in published_events}
