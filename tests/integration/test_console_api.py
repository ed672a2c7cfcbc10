"""The console's own routes: the applicant's application state and the editor's live disclosure preview."""

from __future__ import annotations

from typing import Any

from formats_support import box_body
from payment_support import (
    Standins,
    fan,
    gacha_on_sale,
    purchase,
    standins_fixture,  # noqa: F401
)
from support import Api, token_for
from vtuber_support import JPEG, PNG, admin, apply, approved, gacha_body, validated_asset

from oshi.identity.principal import Role
from oshi.models.gachas import Gacha
from oshi.models.orders import Order


def test_application_state_is_404_before_applying_then_follows_the_decision(api: Api) -> None:
    token = token_for("applicant-1", Role.FAN)
    missing = api.get("/api/vtuber/application", token=token)
    assert missing.status == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
    vtuber_id = apply(api, "applicant-1")
    pending = api.get("/api/vtuber/application", token=token).json()
    assert pending["vtuber_id"] == vtuber_id and pending["status"] == "pending"
    vt = approved(api, "applicant-2")
    assert api.get("/api/vtuber/application", token=vt.token).json()["status"] == "approved"


def test_preview_is_what_create_discloses_and_saves_nothing(api: Api) -> None:
    vt = approved(api)
    assets = [validated_asset(api, vt, PNG), validated_asset(api, vt, JPEG, "image/jpeg")]
    body = gacha_body(assets)
    before = Gacha.count()
    preview = api.post("/api/vtuber/gacha/preview", token=vt.token, json_body=body)
    assert preview.status == 200, preview.body
    assert Gacha.count() == before
    created = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert created.status == 201, created.body

    def disclosure(doc: dict[str, Any]) -> Any:
        keys = ("prize_id", "name", "rarity", "rate_ppm", "rate_percent", "stock")
        return (
            [{k: p[k] for k in keys} for p in doc["prizes"]],
            doc["rarity_totals"],
            doc["guarantee"],
            doc["rarest_prize"],
            doc["rate_table"]["hash"],
        )

    assert disclosure(preview.json()) == disclosure(created.json())
    gacha_id = created.json()["gacha_id"]
    loaded = api.get(f"/api/vtuber/gacha/{gacha_id}", token=vt.token)
    assert loaded.status == 200 and loaded.json() == {
        **created.json(),
        "sale_state": loaded.json()["sale_state"],
    }
    other = approved(api, "vt-other")
    assert api.get(f"/api/vtuber/gacha/{gacha_id}", token=other.token).status == 404


def test_preview_refuses_a_bad_lineup_with_the_same_field_errors_as_create(api: Api) -> None:
    vt = approved(api)
    asset = validated_asset(api, vt)
    body = gacha_body([asset])
    body["prizes"][0]["rate_ppm"] = 599_999  # the sum is one short of 1,000,000
    preview = api.post("/api/vtuber/gacha/preview", token=vt.token, json_body=body)
    create = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert preview.status == create.status == 422
    assert preview.json()["error"]["code"] == create.json()["error"]["code"] == "GACHA_INVALID"
    assert preview.json()["error"]["details"] == create.json()["error"]["details"]


def test_preview_is_for_approved_vtubers_only(api: Api) -> None:
    apply(api, "pending-1")
    response = api.post(
        "/api/vtuber/gacha/preview", token=token_for("pending-1", Role.FAN), json_body=gacha_body(["x" * 26])
    )
    assert response.status == 403


def test_the_asset_list_says_how_much_of_the_quota_is_used(api: Api) -> None:
    vt = approved(api)
    before = api.get("/api/vtuber/assets", token=vt.token).json()["storage"]
    assert before["used_bytes"] == 0 and before["quota_bytes"] == 5 * 1024**3
    validated_asset(api, vt, PNG)
    after = api.get("/api/vtuber/assets", token=vt.token).json()["storage"]
    assert after["used_bytes"] == len(PNG)


def test_admin_finds_an_order_by_id_or_by_fan_and_nobody_else_can(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api)
    fan_token = fan("fan-lookup")
    response = purchase(api, fan_token, sale.gacha_id)
    assert response.status in (200, 201), response.body
    order = Order.get(response.json()["order_id"])
    by_id = api.get(f"/api/admin/orders?order_id={order.order_id}", token=admin())
    assert by_id.status == 200, by_id.body
    assert [o["order_id"] for o in by_id.json()["items"]] == [order.order_id]
    by_fan = api.get(f"/api/admin/orders?fan_id={order.fan_id}", token=admin())
    assert order.order_id in [o["order_id"] for o in by_fan.json()["items"]]
    assert api.get("/api/admin/orders?order_id=nope", token=admin()).status == 404
    assert api.get("/api/admin/orders", token=admin()).status == 400
    as_fan = api.get(f"/api/admin/orders?order_id={order.order_id}", token=fan_token)
    assert as_fan.status == 403


def test_the_editor_gets_each_prize_preview_asset_back_to_send_with_an_edit(api: Api) -> None:
    vt = approved(api)
    reward, preview = validated_asset(api, vt, PNG), validated_asset(api, vt, JPEG, "image/jpeg")
    body = gacha_body([reward])
    body["prizes"][0]["preview_asset_id"] = preview
    created = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert created.status == 201, created.body
    loaded = api.get(f"/api/vtuber/gacha/{created.json()['gacha_id']}", token=vt.token).json()
    assert [p["preview_asset_id"] for p in loaded["prizes"]] == [preview, None, None, None, None]


def test_an_empty_text_plain_body_is_a_415_not_a_crash(api: Api) -> None:
    # What a browser's fetch sends for body "" on a route whose JSON body is optional.
    vtuber_id = apply(api, "applicant-415")
    response = api.call(
        "POST",
        f"/api/admin/vtubers/{vtuber_id}/approve",
        token=admin(),
        body=b"",
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert response.status == 415, response.body
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert (
        api.get("/api/vtuber/application", token=token_for("applicant-415", Role.FAN)).json()["status"]
        == "pending"
    )


def test_a_vtuber_views_only_their_own_validated_files(api: Api) -> None:
    vt = approved(api)
    asset = validated_asset(api, vt, PNG)
    view = api.get(f"/api/vtuber/assets/{asset}/view", token=vt.token)
    assert view.status == 200, view.body
    assert view.json()["content_type"] == "image/png" and view.json()["expires_in"] == 300
    url = view.json()["url"]  # in-process moto has no endpoint to fetch; the real stack's browser test does
    assert (
        f"uploads/{vt.vtuber_id}/{asset}" in url and "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    )
    other = approved(api, "vt-2")
    assert api.get(f"/api/vtuber/assets/{asset}/view", token=other.token).status == 404


def test_the_editor_gets_a_box_gachas_tickets_and_last_one_prize_back(api: Api) -> None:
    vt = approved(api)
    reward, preview = validated_asset(api, vt, PNG), validated_asset(api, vt, JPEG, "image/jpeg")
    body = box_body(reward, (2, 3), publish=False)
    body["last_one"]["preview_asset_id"] = preview
    created = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert created.status == 201, created.body
    loaded = api.get(f"/api/vtuber/gacha/{created.json()['gacha_id']}", token=vt.token).json()
    assert loaded["kind"] == "box"
    assert [p["tickets"] for p in loaded["box"]["prizes"]] == [2, 3]
    assert loaded["last_one"] == {
        "name": "ラストワン賞",
        "rarity": "UR",
        "asset_ids": [reward],
        "preview_asset_id": preview,
    }
    rate = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body([reward]))
    assert rate.json()["last_one"] is None
