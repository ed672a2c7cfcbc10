"""The VTuber service's answers in JSON form, without pydantic (``vtuber.schemas`` documents them).

Every route sends these as they are (its ``response_model`` names the model; the tests check each answer
against it), so each shape is built in one place. The gacha editor's and the exchange items' shapes are
apart (``gacha_bodies``, ``exchange_bodies``), so the other routes do not import the line-up or the
exchange at cold start.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from oshi.catalogue.filetypes import FileType
from oshi.models.assets import Asset, AssetStatus
from oshi.models.gachas import Gacha, GachaStatus
from oshi.models.vtubers import Vtuber, VtuberStatus
from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime

if TYPE_CHECKING:  # types only: each route imports just the domain modules it uses
    from oshi.catalogue.uploads import UploadTicket
    from oshi.catalogue.vtubers import Decision


def _moment(at: datetime | None) -> str | None:
    return json_datetime(at) if at is not None else None


def vtuber(v: Vtuber) -> JsonObject:
    """A VTuber application as ``vtuber.schemas.VtuberOut`` documents it."""
    return {
        "vtuber_id": v.vtuber_id,
        "status": VtuberStatus(v.status).value,
        "channel_name": v.channel_name,
        "channel_url": v.channel_url,
        "description": v.description or "",
        "applied_at": json_datetime(v.applied_at),
        "decided_at": _moment(v.decided_at),
        "reason": v.reason,
    }


def admin_vtuber(v: Vtuber) -> JsonObject:
    """``vtuber.schemas.AdminVtuberOut``: the application with what only admins see."""
    return {
        **vtuber(v),
        "user_id": v.user_id,
        "decided_by": v.decided_by,
        "storage_bytes": int(v.storage_bytes or 0),
    }


def asset(a: Asset) -> JsonObject:
    """An upload as ``vtuber.schemas.AssetOut`` documents it."""
    return {
        "asset_id": a.asset_id,
        "filename": a.filename,
        "status": AssetStatus(a.status).value,
        "reason": a.reason,
        "reason_code": a.reason_code,
        "declared_type": FileType(a.declared_type).value,
        "detected_type": FileType(a.detected_type).value if a.detected_type is not None else None,
        "kind": a.kind,
        "size_bytes": int(a.size_bytes) if a.size_bytes is not None else None,
        "created_at": json_datetime(a.created_at),
        "checked_at": _moment(a.checked_at),
    }


def decision(d: Decision) -> JsonObject:
    """An admin decision as ``vtuber.schemas.DecisionOut`` documents it."""
    return {"vtuber": admin_vtuber(d.vtuber), "role_changed": d.role_changed}


def upload(ticket: UploadTicket) -> JsonObject:
    """A presigned upload as ``vtuber.schemas.UploadOut`` documents it."""
    return {
        "asset_id": ticket.asset.asset_id,
        "status": AssetStatus(ticket.asset.status).value,
        "upload": {"method": "POST", "url": ticket.url, "fields": dict(ticket.fields)},
        "expires_in": int(ticket.expires_in),
        "max_bytes": int(ticket.max_bytes),
    }


def suspended_gacha(gacha: Gacha) -> JsonObject:
    """A suspended gacha as ``vtuber.schemas.SuspendOut`` documents it."""
    return {"gacha_id": gacha.gacha_id, "status": GachaStatus(gacha.status).value}
