"""An exchange item as its shop shows it: the fan's list (``exchange.items``) and the VTuber's creation
(``vtuber.exchange_item_create``) answer with it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, Field

from oshi.models.exchange import ExchangeItem

ItemState = Literal[
    "upcoming", "on_sale", "ended", "sold_out", "suspended"
]  # oshi.rewards.exchange.item_state


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

    @classmethod
    def of(cls, item: ExchangeItem, your_count: int | None = None, state: str | None = None) -> ItemOut:
        return cls(
            item_id=item.item_id,
            vtuber_id=item.vtuber_id,
            name=item.name,
            description=item.description or "",
            cost=int(item.cost),
            per_user_limit=int(item.per_user_limit),
            your_count=your_count,
            stock=None if item.stock is None else int(item.stock),
            remaining=None if item.remaining is None else int(item.remaining),
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            state=cast(ItemState | None, state),  # validated against ItemState
            type=item.asset_content_type,
            size_bytes=int(item.asset_size_bytes),
        )
