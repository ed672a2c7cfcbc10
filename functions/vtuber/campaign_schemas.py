"""Campaign requests and answers (``oshi.catalogue.campaigns``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from oshi.catalogue import campaigns, lineup
from oshi.web.schemas import Strict
from oshi.web.schemas.catalogue import CampaignOut
from vtuber.schemas import ID


class CampaignIn(BaseModel):
    """Unknown fields are refused, and a campaign can never reward collecting a set (complete gacha)."""

    model_config = ConfigDict(extra="forbid")

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

    @model_validator(mode="before")
    @classmethod
    def _no_complete_gacha(cls, data: Any) -> Any:
        found = lineup.complete_gacha_fields(data)
        if found:
            raise PydanticCustomError(
                "complete_gacha_forbidden",
                "Granting anything for collecting a set of random prizes (complete gacha) is prohibited: {fields}",
                {"fields": ", ".join(p["field"] for p in found)},
            )
        return data

    def spec(self) -> campaigns.CampaignSpec:
        return campaigns.CampaignSpec(
            kind=self.kind,
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            gacha_id=self.gacha_id,
            multiplier=self.multiplier,
            price_ten=self.price_ten,
        )


class CampaignList(Strict):
    items: list[CampaignOut] = Field(description="Earliest start first")
