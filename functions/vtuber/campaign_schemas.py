"""Campaign requests and answers (``oshi.catalogue.campaigns``). The routes name them by reference: the
creation body is checked by its light spec (``oshi.web.light_bodies``) and made a ``CampaignSpec`` by
``campaign_bodies.campaign_spec``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from oshi.web.schemas import Strict
from oshi.web.schemas.catalogue import CampaignOut
from vtuber import checks
from vtuber.schemas import ID


class CampaignIn(BaseModel):
    """Unknown fields are refused, and a campaign can never reward collecting a set (complete gacha)."""

    model_config = ConfigDict(extra="forbid")
    _no_complete_gacha = model_validator(mode="before")(checks.refuse_complete_gacha)

    kind: Literal["medal_multiplier", "first_ten_discount"]
    title: str = Field(min_length=1, max_length=100)
    starts_at: datetime = Field(
        description="At least 10 minutes from now: a campaign is frozen before it starts"
    )
    ends_at: datetime
    gacha_id: str | None = Field(
        default=None, pattern=ID, description="null: every gacha of the VTuber (multipliers only)"
    )
    multiplier: StrictInt | None = Field(default=None, description="medal_multiplier: 2 to 5")
    price_ten: StrictInt | None = Field(
        default=None, description="first_ten_discount: the first 10-draw's price (JPY)"
    )


class CampaignList(Strict):
    items: list[CampaignOut] = Field(description="Earliest start first")
