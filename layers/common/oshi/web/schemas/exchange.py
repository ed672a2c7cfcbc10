"""An exchange item as its shop shows it: the fan's list (``exchange.items``) and the VTuber's creation
(``vtuber.exchange_item_create``) answer with it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ItemState = Literal["upcoming", "on_sale", "ended", "sold_out", "suspended"]  # oshi.rewards.shop.item_state


class ItemOut(BaseModel):
    item_id: str
    vtuber_id: str
    name: str
    description: str
    cost: int = Field(description="Medals per unit")
    per_user_limit: int
    your_count: int | None = Field(default=None, description="Units the caller has obtained so far")
    stock: int | None = Field(default=None, description="Units on offer in total; null = unlimited")
    remaining: int | None = None
    starts_at: datetime
    ends_at: datetime
    state: ItemState | None = Field(default=None, description="The item's sale state; null when created")
    type: str = Field(description="The granted file's MIME type")
    size_bytes: int
