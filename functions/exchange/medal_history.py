"""GET /api/medals/{vtuber_id}/history: the caller's medal ledger for one VTuber, newest first."""

from __future__ import annotations

from typing import Annotated

from exchange import bodies
from oshi.rewards import queries
from oshi.web.api import Endpoint
from oshi.web.params import Path, Query
from oshi.web.response import JsonObject, Response

endpoint = Endpoint(__name__, response_model="exchange.schemas:HistoryOut")


@endpoint
def get_history(
    vtuber_id: Annotated[str, Path(pattern=bodies.ID)],
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = queries.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response[JsonObject]:
    entries, next_cursor = queries.history(endpoint.caller().user_id, vtuber_id, limit=limit, cursor=cursor)
    out = {
        "vtuber_id": vtuber_id,
        "items": [bodies.ledger_entry(e) for e in entries],
        "next_cursor": next_cursor,
    }
    return Response(200, "application/json", out, headers={"Cache-Control": "private, no-cache"})


handler = endpoint.lambda_handler
