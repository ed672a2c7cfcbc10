"""GET /api/medals/{vtuber_id}/history: the caller's medal ledger for one VTuber, newest first."""

from __future__ import annotations

from typing import Annotated

from exchange.schemas import ID, HistoryOut, LedgerEntryOut
from oshi.rewards import queries
from oshi.web.api import Endpoint
from oshi.web.params import Path, Query
from oshi.web.response import Response

endpoint = Endpoint(__name__)


@endpoint
def get_history(
    vtuber_id: Annotated[str, Path(pattern=ID)],
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = queries.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response[HistoryOut]:
    entries, next_cursor = queries.history(endpoint.caller().user_id, vtuber_id, limit=limit, cursor=cursor)
    out = HistoryOut(
        vtuber_id=vtuber_id, items=[LedgerEntryOut.of(e) for e in entries], next_cursor=next_cursor
    )
    return Response(200, "application/json", out, headers={"Cache-Control": "private, no-cache"})


handler = endpoint.lambda_handler
