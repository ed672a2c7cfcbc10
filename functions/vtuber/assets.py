"""GET /api/vtuber/assets: the caller's uploads with their validation status and rejection reasons."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from oshi.catalogue import uploads
from oshi.models.assets import AssetStatus
from oshi.web.api import Endpoint
from vtuber.schemas import AssetOut

endpoint = Endpoint(__name__)


class AssetList(BaseModel):
    items: list[AssetOut]


@endpoint
def get_assets(status: Annotated[AssetStatus | None, Query()] = None) -> AssetList:
    assets = uploads.list_assets(endpoint.caller().user_id, status=status)
    return AssetList(items=[AssetOut.of(a) for a in assets])


handler = endpoint.lambda_handler
