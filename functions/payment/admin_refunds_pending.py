"""GET /api/admin/refunds/pending (admin): orders owing a refund, oldest first (oshi.commerce.refunds).

Each is being retried by the refund consumer, or ``escalated``: its retries are spent and a person must
refund it (the admin refund, ``POST /api/admin/orders/{order_id}/refund``, clears it).
"""

from __future__ import annotations

from typing import Annotated

from oshi.commerce import order_queries
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject
from payment import bodies

endpoint = Endpoint(__name__, response_model="payment.schemas:PendingRefundPage")


@endpoint
def get_pending_refunds(
    limit: Annotated[int, Query(ge=1, le=order_queries.REFUNDS_MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> JsonObject:
    page, next_cursor = order_queries.owing_refund(limit=limit, cursor=cursor)
    return {"items": [bodies.pending_refund(o) for o in page], "next_cursor": next_cursor}


handler = endpoint.lambda_handler
