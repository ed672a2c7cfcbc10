"""GET /api/vtubers: approved VTubers (no sign-in), paginated by cursor, cached with an ETag."""

from __future__ import annotations

from typing import Annotated

from gacha.public import cached_json
from oshi.catalogue import storefront
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import Response

endpoint = Endpoint(__name__, response_model="oshi.web.schemas.catalogue:PublicVtuberPage")


@endpoint
def get_vtubers(
    limit: Annotated[int, Query(ge=1, le=storefront.MAX_PAGE)] = storefront.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response[str]:
    vtubers, next_cursor = storefront.list_vtubers(limit=limit, cursor=cursor)
    page = {
        "items": [
            {
                "vtuber_id": v.vtuber_id,
                "channel_name": v.channel_name,
                "channel_url": v.channel_url,
                "description": v.description or "",
            }
            for v in vtubers
        ],
        "next_cursor": next_cursor,
    }
    return cached_json(endpoint, page, storefront.VTUBER_LIST_TTL)


handler = endpoint.lambda_handler
