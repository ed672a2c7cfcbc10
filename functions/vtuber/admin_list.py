"""GET /api/admin/vtubers?status=pending: the screening queue (admins), oldest application first."""

from __future__ import annotations

from typing import Annotated

from oshi.catalogue import vtuber_queries
from oshi.models.vtubers import VtuberStatus
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject
from vtuber import bodies

endpoint = Endpoint(__name__, response_model="vtuber.schemas:VtuberPage")


@endpoint
def get_vtubers(
    status: Annotated[VtuberStatus, Query()] = VtuberStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=vtuber_queries.MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> JsonObject:
    items, next_cursor = vtuber_queries.list_by_status(status, limit=limit, cursor=cursor)
    return {"items": [bodies.admin_vtuber(v) for v in items], "next_cursor": next_cursor}


handler = endpoint.lambda_handler
