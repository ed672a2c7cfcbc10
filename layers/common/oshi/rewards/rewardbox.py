"""The reward box: the one place that puts rewards into a fan's box, inside the caller's transaction.

A reward's key is derived from its source (order or exchange id, draw index, asset index), and the put is
conditional on the key being new, so a retried fulfilment or trade can never grant the same reward twice.
"""

from __future__ import annotations

from datetime import datetime

from oshi.kernel.txn import Txn
from oshi.models.assets import Asset
from oshi.models.rewards import Reward, RewardSource, fan_vtuber, reward_id

LABEL = "reward"  # the label of reward puts in a transaction


def build(
    *,
    fan_id: str,
    source: RewardSource,
    source_id: str,
    draw_index: int,
    asset_index: int,
    asset: Asset,
    vtuber_id: str,
    name: str,
    at: datetime,
    gacha_id: str | None = None,
    prize_id: str | None = None,
    rarity: str | None = None,
    item_id: str | None = None,
) -> Reward:
    return Reward(
        fan_id,
        reward_id(source_id, draw_index, asset_index),
        fan_vtuber=fan_vtuber(fan_id, vtuber_id),
        source=source.value,
        source_id=source_id,
        vtuber_id=vtuber_id,
        gacha_id=gacha_id,
        prize_id=prize_id,
        item_id=item_id,
        asset_id=asset.asset_id,
        asset_vtuber_id=asset.vtuber_id,
        name=name,
        rarity=rarity,
        object_key=asset.object_key,
        file_name=asset.filename,
        content_type=asset.detected_type or asset.declared_type,
        size_bytes=int(asset.size_bytes or 0),
        acquired_at=at,
    )


def put(txn: Txn, reward: Reward) -> None:
    txn.put(LABEL, reward, condition=Reward.reward_id.does_not_exist())
