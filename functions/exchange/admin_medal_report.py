"""GET /api/admin/medals/report: every medal balance against its ledger's sum; mismatches should be none."""

from __future__ import annotations

from exchange import bodies
from oshi.rewards import queries
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="exchange.schemas:MedalReportOut")


@endpoint
def get_report() -> JsonObject:
    return bodies.medal_report(queries.check_ledger())


handler = endpoint.lambda_handler
