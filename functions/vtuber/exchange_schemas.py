"""Request and response shapes of the VTuber's exchange items (apart from ``schemas``). The routes name them
by reference: their bodies are checked by their light specs (``oshi.web.light_bodies``) and their answers
built in ``exchange_bodies``, whose ``item_spec`` makes the exchange's ``ItemSpec`` of a checked body."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from oshi.models.exchange import ExchangeItemStatus
from oshi.web.schemas.exchange import ItemOut

ID = r"^[0-9a-z]{26}$"


class ItemCreateIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # unknown keys are still screened for complete-gacha terms

    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=2000)
    cost: StrictInt = Field(description="Medals per unit")
    per_user_limit: StrictInt
    stock: StrictInt | None = None
    starts_at: datetime
    ends_at: datetime
    asset_id: str = Field(pattern=ID)


class ItemCreatedOut(ItemOut):
    """The new item as its shop will show it, with the granted asset and the item's status."""

    asset_id: str
    status: ExchangeItemStatus


class ItemUpdateIn(ItemCreateIn):
    version: StrictInt | None = Field(
        default=None, description="The version the editor loaded (409 when stale)"
    )


class OwnItemOut(ItemCreatedOut):
    version: int
    editable: bool = Field(description="Still before its sale's start and not withdrawn")


class OwnItemList(BaseModel):
    items: list[OwnItemOut] = Field(description="Latest sale start first, withdrawn ones included")
