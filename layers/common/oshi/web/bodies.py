"""Answers shared by several services' routes, built in JSON form without pydantic (``oshi.web.shapes``).

The models in ``oshi.web.schemas`` document them; a read route sends these dicts as they are, and a write
route that answers with the model validates the same dict (one builder per shape).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime

if TYPE_CHECKING:
    from oshi.models.exchange import ExchangeItem


def exchange_item(item: ExchangeItem, your_count: int | None = None, state: str | None = None) -> JsonObject:
    """An item as its shop shows it (``oshi.web.schemas.exchange.ItemOut``): the fan's list
    (``exchange.items``) and, extended, the VTuber's item routes (``vtuber.exchange_bodies``)."""
    return {
        "item_id": item.item_id,
        "vtuber_id": item.vtuber_id,
        "name": item.name,
        "description": item.description or "",
        "cost": int(item.cost),
        "per_user_limit": int(item.per_user_limit),
        "your_count": your_count,
        "stock": None if item.stock is None else int(item.stock),
        "remaining": None if item.remaining is None else int(item.remaining),
        "starts_at": json_datetime(item.starts_at),
        "ends_at": json_datetime(item.ends_at),
        "state": state,  # oshi.rewards.shop.item_state (ItemState), or None when created
        "type": item.asset_content_type,
        "size_bytes": int(item.asset_size_bytes),
    }
