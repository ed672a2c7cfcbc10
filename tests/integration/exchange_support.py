"""Helpers for the reward box, medal and exchange tests: a VTuber's shop, medals, rewards, trades."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from support import Api, token_for
from vtuber_support import Vt, approved, iso, validated_asset

from oshi.catalogue.asset_queries import owned_assets
from oshi.identity.principal import Role
from oshi.kernel.ids import new_id
from oshi.kernel.txn import Txn
from oshi.models.rewards import Reward, RewardSource
from oshi.rewards import medals, rewardbox


@dataclass
class Shop:
    vt: Vt
    asset_id: str


def shop(api: Api, user_id: str = "vt-1") -> Shop:
    vt = approved(api, user_id)
    return Shop(vt, validated_asset(api, vt))


def item_body(asset_id: str, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "name": "Signed wallpaper",
        "description": "A wallpaper with a handwritten message",
        "cost": 30,
        "per_user_limit": 5,
        "starts_at": iso(now - timedelta(hours=1)),
        "ends_at": iso(now + timedelta(days=7)),
        "asset_id": asset_id,
    }
    body.update(overrides)
    return body


def create_item(api: Api, s: Shop, **overrides: Any) -> dict[str, Any]:
    response = api.post(
        "/api/vtuber/exchange-items", token=s.vt.token, json_body=item_body(s.asset_id, **overrides)
    )
    assert response.status == 201, response.body
    return dict(response.json())


def give_medals(fan_id: str, vtuber_id: str, amount: int) -> str:
    """Credit medals as a fulfilled order would (balance + ledger in one transaction)."""
    source_id = new_id()
    txn = Txn()
    medals.credit(txn, fan_id, vtuber_id, amount, source_id, datetime.now(UTC))
    txn.commit()
    return source_id


def put_reward(fan_id: str, s: Shop, *, name: str = "Good morning", order_id: str | None = None) -> Reward:
    """A gacha reward in the fan's box, as the draw puts it."""
    asset = owned_assets(s.vt.vtuber_id, {s.asset_id})[s.asset_id]
    reward = rewardbox.build(
        fan_id=fan_id,
        source=RewardSource.GACHA,
        source_id=order_id or new_id(),
        draw_index=0,
        asset_index=0,
        asset=asset,
        vtuber_id=s.vt.vtuber_id,
        name=name,
        at=datetime.now(UTC),
        gacha_id=new_id(),
        prize_id="p01",
        rarity="SR",
    )
    txn = Txn()
    rewardbox.put(txn, reward)
    txn.commit()
    return reward


def fan(user_id: str) -> str:
    return token_for(user_id, Role.FAN)


def trade(api: Api, token: str, item_id: str, quantity: int = 1, key: str | None = None) -> Any:
    return api.post(
        "/api/exchange/trade",
        token=token,
        json_body={"item_id": item_id, "quantity": quantity},
        headers={"Idempotency-Key": key or new_id()},
    )
