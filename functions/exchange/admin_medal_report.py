"""GET /api/admin/medals/report: every medal balance against its ledger's sum; mismatches should be none."""

from __future__ import annotations

from exchange.schemas import MedalReportOut, MismatchOut
from oshi.rewards import queries
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def get_report() -> MedalReportOut:
    report = queries.check_ledger()
    return MedalReportOut(
        ok=report.ok,
        balances_checked=report.balances_checked,
        ledger_entries=report.ledger_entries,
        mismatches=[MismatchOut.model_validate(m) for m in report.mismatches],
    )


handler = endpoint.lambda_handler
