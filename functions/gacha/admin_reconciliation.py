"""GET /api/admin/reconciliation (admin): payments against fulfilment, totals per provider and day."""

from __future__ import annotations

from typing import Annotated

from gacha import bodies
from oshi.commerce import reconciliation
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.schemas:ReconciliationOut")


@endpoint
def get_reconciliation(
    stale_minutes: Annotated[int, Query(ge=1, le=7 * 24 * 60)] = reconciliation.DEFAULT_STALE_MINUTES,
) -> JsonObject:
    return bodies.reconciliation(reconciliation.report(stale_minutes=stale_minutes))


handler = endpoint.lambda_handler
