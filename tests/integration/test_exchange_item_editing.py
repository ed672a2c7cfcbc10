"""The VTuber edits or withdraws an exchange item before its sale starts (the console's exchange page)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from exchange_support import create_item, fan, give_medals, item_body, shop, trade
from support import Api
from vtuber_support import approved, iso

from oshi.models.exchange import ExchangeItem


def _later() -> dict[str, str]:
    now = datetime.now(UTC)
    return {"starts_at": iso(now + timedelta(hours=2)), "ends_at": iso(now + timedelta(days=7))}


def test_an_upcoming_item_is_edited_with_its_version_and_listed(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, **_later())
    mine = api.get("/api/vtuber/exchange-items", token=s.vt.token).json()["items"]
    assert [(i["item_id"], i["version"], i["editable"]) for i in mine] == [(item["item_id"], 1, True)]
    body = item_body(s.asset_id, **_later(), cost=45, name="Signed wallpaper (2)", version=1)
    edited = api.call(
        "PUT", f"/api/vtuber/exchange-items/{item['item_id']}", token=s.vt.token, json_body=body
    )
    assert edited.status == 200, edited.body
    assert edited.json()["cost"] == 45 and edited.json()["version"] == 2
    stale = api.call("PUT", f"/api/vtuber/exchange-items/{item['item_id']}", token=s.vt.token, json_body=body)
    assert stale.status == 409 and stale.json()["error"]["code"] == "EXCHANGE_ITEM_FROZEN"
    assert int(ExchangeItem.get(item["item_id"]).cost) == 45


def test_bad_terms_are_field_errors_and_change_nothing(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, **_later())
    body = item_body(s.asset_id, **_later(), cost=0)
    response = api.call(
        "PUT", f"/api/vtuber/exchange-items/{item['item_id']}", token=s.vt.token, json_body=body
    )
    assert response.status == 422
    assert [p["field"] for p in response.json()["error"]["details"]] == ["cost"]
    assert int(ExchangeItem.get(item["item_id"]).version) == 1


def test_an_item_on_sale_cannot_be_edited_or_withdrawn_and_trades_go_on(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s)  # on sale since an hour ago
    body = item_body(s.asset_id, **_later(), cost=1)
    edit = api.call("PUT", f"/api/vtuber/exchange-items/{item['item_id']}", token=s.vt.token, json_body=body)
    assert edit.status == 409 and edit.json()["error"]["code"] == "EXCHANGE_ITEM_FROZEN"
    withdraw = api.post(f"/api/vtuber/exchange-items/{item['item_id']}/withdraw", token=s.vt.token)
    assert withdraw.status == 409
    token = fan("fan-edit")
    give_medals("fan-edit", s.vt.vtuber_id, 100)
    assert trade(api, token, item["item_id"]).status == 201


def test_withdrawn_before_the_start_it_is_frozen_and_only_its_owner_may(api: Api) -> None:
    s = shop(api)
    item = create_item(api, s, **_later())
    other = approved(api, "vt-2")
    assert api.post(f"/api/vtuber/exchange-items/{item['item_id']}/withdraw", token=other.token).status == 404
    done = api.post(f"/api/vtuber/exchange-items/{item['item_id']}/withdraw", token=s.vt.token)
    assert done.status == 200 and done.json()["status"] == "withdrawn" and done.json()["editable"] is False
    again = api.post(f"/api/vtuber/exchange-items/{item['item_id']}/withdraw", token=s.vt.token)
    assert again.status == 409
