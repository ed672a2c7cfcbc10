"""The VTuber's own exchange items in JSON form, without pydantic (``vtuber.exchange_schemas`` documents
them; the create, update and withdraw routes return the same dicts)."""

from __future__ import annotations

from datetime import datetime

from oshi.models.exchange import ExchangeItem, ExchangeItemStatus
from oshi.web import bodies
from oshi.web.response import JsonObject


def created_item(item: ExchangeItem) -> JsonObject:
    """``vtuber.exchange_schemas.ItemCreatedOut``: the item as its shop shows it (``ItemOut``, without the
    caller's count or sale state), with the granted asset and the item's status."""
    return {
        **bodies.exchange_item(item),
        "asset_id": item.asset_id,
        "status": ExchangeItemStatus(item.status).value,
    }


def own_item(item: ExchangeItem, now: datetime) -> JsonObject:
    """``vtuber.exchange_schemas.OwnItemOut``: editable while before its sale's start and not withdrawn."""
    editable = item.status == ExchangeItemStatus.ACTIVE and now < item.starts_at
    return {**created_item(item), "version": int(item.version), "editable": editable}
