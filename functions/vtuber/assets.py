"""GET /api/vtuber/assets: the caller's uploads with their validation status and rejection reasons, and the
storage quota (used counts pending reservations and validated files, as the upload's condition does)."""

from __future__ import annotations

from typing import Annotated

from oshi.catalogue import asset_queries, vtuber_queries
from oshi.models.assets import AssetStatus
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject
from vtuber import bodies

endpoint = Endpoint(__name__, response_model="vtuber.schemas:AssetList")


@endpoint
def get_assets(status: Annotated[AssetStatus | None, Query()] = None) -> JsonObject:
    assets = asset_queries.list_assets(endpoint.caller().user_id, status=status)
    vtuber = vtuber_queries.find_by_user(endpoint.caller().user_id)
    storage = {
        "used_bytes": int(vtuber.storage_bytes or 0) if vtuber is not None else 0,
        "quota_bytes": asset_queries.STORAGE_QUOTA_BYTES,
        "max_file_bytes": asset_queries.MAX_UPLOAD_BYTES,
    }
    return {"items": [bodies.asset(a) for a in assets], "storage": storage}


handler = endpoint.lambda_handler
