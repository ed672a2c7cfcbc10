"""GET /api/vtuber/assets/{asset_id}/view: a 5-minute presigned URL of one of the caller's own validated
image, audio or video files (the console's library previews); anything else is 404."""

from __future__ import annotations

from pydantic import BaseModel

from oshi.catalogue import uploads
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class AssetViewOut(BaseModel):
    asset_id: str
    url: str
    content_type: str
    kind: str
    expires_in: int


@endpoint
def get_asset_view(asset_id: str) -> AssetViewOut:
    view = uploads.own_view(endpoint.caller().user_id, asset_id)
    return AssetViewOut(
        asset_id=view.asset.asset_id,
        url=view.url,
        content_type=view.content_type,
        kind=str(view.asset.kind),
        expires_in=view.expires_in,
    )


handler = endpoint.lambda_handler
