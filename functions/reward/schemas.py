"""Request and response shapes of the reward box's handlers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from oshi.models.rewards import RewardSource


class RewardOut(BaseModel):
    reward_id: str
    name: str
    type: str = Field(description="The file's MIME type, decided from its bytes at upload")
    file_name: str
    size_bytes: int
    acquired_at: datetime
    download_count: int
    source: RewardSource
    vtuber_id: str
    rarity: str | None = None
    gacha_id: str | None = None
    item_id: str | None = None


class RewardPage(BaseModel):
    items: list[RewardOut]
    next_cursor: str | None = None


class DownloadUrlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reward_id: str = Field(min_length=1, max_length=80, pattern=r"^[0-9A-Za-z_-]{1,64}#\d{3}#\d{2}$")


class DownloadUrlOut(BaseModel):
    url: str = Field(description="Signed; GET it (Range requests work) before expires_at")
    expires_at: datetime
    file_name: str
    type: str
    size_bytes: int
