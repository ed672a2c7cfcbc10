"""GET /api/rewards/list: the caller's reward box, newest first, filtered by source and VTuber."""

from __future__ import annotations

from typing import Annotated

from oshi.models.rewards import RewardSource
from oshi.rewards import queries
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject, Response
from reward import bodies

endpoint = Endpoint(__name__, response_model="reward.schemas:RewardPage")


@endpoint
def get_rewards(
    source: Annotated[RewardSource | None, Query()] = None,
    vtuber_id: Annotated[str | None, Query(pattern=r"^[0-9a-z]{26}$")] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = queries.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response[JsonObject]:
    rewards, next_cursor = queries.list_rewards(
        endpoint.caller().user_id, source=source, vtuber_id=vtuber_id, limit=limit, cursor=cursor
    )
    page = {"items": [bodies.reward(r) for r in rewards], "next_cursor": next_cursor}
    # private and revalidated: a new reward must show as soon as the draw lands it
    return Response(200, "application/json", page, headers={"Cache-Control": "private, no-cache"})


handler = endpoint.lambda_handler
