"""The VTuber's own exchange items in JSON form, without pydantic (``vtuber.exchange_schemas`` documents
them; the list, create, update and withdraw routes send the same dicts), and the ``ItemSpec`` of a checked
creation or update body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from oshi.models.exchange import ExchangeItem, ExchangeItemStatus
from oshi.rewards import exchange
from oshi.web import bodies
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from vtuber.exchange_schemas import ItemCreateIn


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


def item_spec(body: ItemCreateIn) -> exchange.ItemSpec:
    """The terms a creation or update body asks for (a checked body or the model: attributes only)."""
    return exchange.ItemSpec(
        name=body.name,
        description=body.description,
        cost=body.cost,
        per_user_limit=body.per_user_limit,
        stock=body.stock,
        starts_at=_aware(body.starts_at),
        ends_at=_aware(body.ends_at),
        asset_id=body.asset_id,
    )


def _aware(at: datetime) -> datetime:
    # pydantic accepts a time without an offset (the light check leaves those to it): read as UTC
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
