"""The reward box's answers in JSON form, without pydantic (``reward.schemas`` documents them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.models.rewards import Reward
from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime

if TYPE_CHECKING:
    from oshi.rewards.downloads import SignedDownload


def reward(r: Reward) -> JsonObject:
    """One reward as ``reward.schemas.RewardOut`` documents it."""
    return {
        "reward_id": r.reward_id,
        "name": r.name,
        "type": r.content_type,
        "file_name": r.file_name,
        "size_bytes": int(r.size_bytes or 0),
        "acquired_at": json_datetime(r.acquired_at),
        "download_count": int(r.download_count or 0),
        "source": r.source,
        "vtuber_id": r.vtuber_id,
        "rarity": r.rarity,
        "gacha_id": r.gacha_id,
        "item_id": r.item_id,
    }


def download_url(issued: SignedDownload) -> JsonObject:
    """A signed download as ``reward.schemas.DownloadUrlOut`` documents it."""
    reward = issued.reward
    return {
        "url": issued.url,
        "expires_at": json_datetime(issued.expires_at),
        "file_name": reward.file_name,
        "type": reward.content_type,
        "size_bytes": int(reward.size_bytes or 0),
    }
