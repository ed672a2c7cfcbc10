"""GET /api/vtuber/assets: the caller's uploads with their validation status and rejection reasons, and the
storage quota (used counts pending reservations and validated files, as the upload's condition does)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from oshi.catalogue import uploads, vtubers
from oshi.models.assets import AssetStatus
from oshi.web.api import Endpoint
from oshi.web.params import Query
from vtuber.schemas import AssetOut

endpoint = Endpoint(__name__)


class StorageQuota(BaseModel):
    used_bytes: int = Field(description="Validated files plus pending reservations")
    quota_bytes: int
    max_file_bytes: int


class AssetList(BaseModel):
    items: list[AssetOut]
    storage: StorageQuota | None = None


@endpoint
def get_assets(status: Annotated[AssetStatus | None, Query()] = None) -> AssetList:
    assets = uploads.list_assets(endpoint.caller().user_id, status=status)
    vtuber = vtubers.find_by_user(endpoint.caller().user_id)
    storage = StorageQuota(
        used_bytes=int(vtuber.storage_bytes or 0) if vtuber is not None else 0,
        quota_bytes=uploads.STORAGE_QUOTA_BYTES,
        max_file_bytes=uploads.MAX_UPLOAD_BYTES,
    )
    return AssetList(items=[AssetOut.of(a) for a in assets], storage=storage)


handler = endpoint.lambda_handler
