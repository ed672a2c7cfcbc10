"""The VTuber's own exchange items in JSON form, without pydantic (``vtuber.exchange_schemas`` documents
them; the create, update and withdraw routes return the same dicts)."""

from __future__ import annotations

from datetime import datetime

from oshi.models.exchange import ExchangeItem, ExchangeItemStatus
from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime


def created_item(item: ExchangeItem) -> JsonObject:
    """``vtuber.exchange_schemas.ItemCreatedOut``: the item as its shop shows it (``ItemOut``, without the
    caller's count or sale state), with the granted asset and the item's status."""
    return {
        "item_id": item.item_id,
        "vtuber_id": item.vtuber_id,
        "name": item.name,
        "description": item.description or "",
        "cost": int(item.cost),
        "per_user_limit": int(item.per_user_limit),
        "your_count": None,
        "stock": None if item.stock is None else int(item.stock),
        "remaining": None if item.remaining is None else int(item.remaining),
        "starts_at": json_datetime(item.starts_at),
        "ends_at": json_datetime(item.ends_at),
        "state": None,
        "type": item.asset_content_type,
        "size_bytes": int(item.asset_size_bytes),
        "asset_id": item.asset_id,
        "status": ExchangeItemStatus(item.status).value,
    }


def own_item(item: ExchangeItem, now: datetime) -> JsonObject:
    """``vtuber.exchange_schemas.OwnItemOut``: editable while before its sale's start and not withdrawn."""
    editable = item.status == ExchangeItemStatus.ACTIVE and now < item.starts_at
    return {**created_item(item), "version": int(item.version), "editable": editable}
