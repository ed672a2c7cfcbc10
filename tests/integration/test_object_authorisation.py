"""Broken object level authorisation, swept over every route that takes an id.

Fan A owns a fulfilled order, its rewards and medals; VTuber A owns a draft gacha and its assets. Fan B
and VTuber B then call every route with a path id (and the routes that take ids in the body) with A's
ids: nothing of A's is ever returned or changed, and nothing answers 5xx.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from draw_support import deliver, on_sale, paid_order
from exchange_support import Shop, create_item, item_body
from support import Api, token_for
from vtuber_support import approved, gacha_body, iso, validated_asset

from oshi.identity import refresh_tokens
from oshi.identity.principal import Role
from oshi.models.campaigns import Campaign
from oshi.models.exchange import ExchangeItem
from oshi.models.gachas import Gacha
from oshi.models.orders import Order
from oshi.models.rewards import MedalBalance, Reward
from oshi.web.routes import ROUTES


def _state(order_id: str, draft_id: str) -> Any:
    return (
        Order.get(order_id).status,
        sorted((r.reward_id, r.download_count, r.revoked) for r in Reward.query("fan-a")),
        [(b.vtuber_id, int(b.balance)) for b in MedalBalance.query("fan-a")],
        (Gacha.get(draft_id).status, int(Gacha.get(draft_id).version)),
    )


def test_no_route_reveals_or_changes_another_users_objects(api: Api) -> None:
    sale = on_sale(api)
    order = paid_order(sale, fan_id="fan-a", count=1)
    assert deliver(order) == set()
    rewards = list(Reward.query("fan-a"))
    assert rewards, "fan A has rewards to protect"
    asset = validated_asset(api, sale.vt)
    draft = api.post("/api/vtuber/gacha/create", token=sale.vt.token, json_body=gacha_body([asset]))
    assert draft.status == 201, draft.body
    draft_id = draft.json()["gacha_id"]
    session_of_a = refresh_tokens.start_family("fan-a", ["pwd"]).family_id  # a sign-in of fan A (issue 18)
    later = iso(datetime.now(UTC) + timedelta(days=1))  # not on sale yet: still editable by its owner
    item_id = create_item(api, Shop(sale.vt, asset), starts_at=later)["item_id"]
    item_before = ExchangeItem.get(item_id).attribute_values
    campaign = api.post(  # VTuber A's campaign, still cancellable by A (issue 19: cancel)
        "/api/vtuber/campaigns",
        token=sale.vt.token,
        json_body={
            "kind": "medal_multiplier",
            "title": "x2",
            "starts_at": later,
            "multiplier": 2,
            "ends_at": iso(datetime.now(UTC) + timedelta(days=2)),
            "gacha_id": sale.gacha_id,
        },
    )
    assert campaign.status == 201, campaign.body
    campaign_id = campaign.json()["campaign_id"]
    secrets_of_a = [order.order_id, draft_id, asset, *(r.reward_id for r in rewards)]
    before = _state(order.order_id, draft_id)

    other_vtuber = approved(api, "vt-2")
    intruders = {"fan B": token_for("fan-b", Role.FAN), "VTuber B": other_vtuber.token}
    ids = {
        "order_id": order.order_id,
        "gacha_id": draft_id,
        "vtuber_id": sale.vt.vtuber_id,
        "user_id": "fan-a",
        "prize_id": "p01",
        "session_id": session_of_a,
        "asset_id": asset,
        "item_id": item_id,
        "campaign_id": campaign_id,
    }
    swept = 0
    for route in (r for r in ROUTES if "{" in r.path):
        for who, token in intruders.items():
            path = route.path.format(**ids)
            body = {
                "vtuber.gacha_update": gacha_body([asset]),
                "vtuber.exchange_item_update": item_body(asset, starts_at=later, name="stolen"),
            }.get(route.handler, {})
            response = api.call(
                route.method, path, token=token, json_body=body if route.method != "GET" else None
            )
            swept += 1
            assert response.status < 500, (who, route.path, response.body)
            text = response.body.decode()
            leaked = [secret for secret in secrets_of_a if secret in text and secret not in path]
            assert not leaked, (who, route.path, leaked)
            if route.handler == "gacha.vtuber_profile":
                assert response.status == 200  # public by design: the draft is not in it (checked above)
            elif route.handler == "exchange.medal_history":
                assert response.status == 200 and json.loads(text)["items"] == []  # the caller's own ledger
            else:
                assert response.status in (403, 404), (who, route.path, response.status, text)

    # Ids in the body: another fan's reward, another VTuber's asset.
    download = api.post(
        "/api/rewards/download-url", token=intruders["fan B"], json_body={"reward_id": rewards[0].reward_id}
    )
    assert download.status == 404
    steal = api.post("/api/vtuber/gacha/create", token=other_vtuber.token, json_body=gacha_body([asset]))
    assert steal.status == 422 and asset in steal.body.decode()  # named as not theirs, nothing created
    assert swept == 2 * sum("{" in r.path for r in ROUTES)
    assert _state(order.order_id, draft_id) == before
    assert ExchangeItem.get(item_id).attribute_values == item_before
    assert refresh_tokens.RefreshFamily.get(session_of_a).revoked is False
    assert [c.campaign_id for c in Campaign.query(sale.vt.vtuber_id) if c.campaign_id != "lock"] == [
        campaign_id
    ]
