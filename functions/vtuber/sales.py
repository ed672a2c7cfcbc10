"""GET /api/vtuber/sales?days=30: the calling VTuber's revenue, draws, fans, top prizes and sales per day."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from oshi.catalogue import vtuber_queries
from oshi.commerce import sales
from oshi.kernel import clock
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="vtuber.sales_schemas:SalesReport")


@endpoint
def get_sales(days: Annotated[int, Query(ge=1, le=sales.MAX_DAYS)] = 30) -> JsonObject:
    vtuber = vtuber_queries.require_approved(endpoint.caller().user_id)
    until = clock.utc_now()
    return sales.report(vtuber.vtuber_id, until - timedelta(days=days), until)  # already in JSON form


handler = endpoint.lambda_handler
