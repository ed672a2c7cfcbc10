"""GET /api/vtuber/assets/{asset_id}/view: a 5-minute presigned URL of one of the caller's own validated
image, audio or video files (the console's library previews); anything else is 404."""

from __future__ import annotations

from oshi.catalogue import asset_queries
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="vtuber.schemas:AssetViewOut")


@endpoint
def get_asset_view(asset_id: str) -> JsonObject:
    view = asset_queries.own_view(endpoint.caller().user_id, asset_id)
    return {
        "asset_id": view.asset.asset_id,
        "url": view.url,
        "content_type": view.content_type,
        "kind": str(view.asset.kind),
        "expires_in": view.expires_in,
    }


handler = endpoint.lambda_handler
