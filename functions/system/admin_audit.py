"""GET /api/admin/audit?date=YYYY-MM-DD: one day's audit entries (a page) and whether its chain is intact.

The chain check covers the whole day server-side; the entries are exported as ``oshi.audit.to_json``
writes them, so ``tools/verify_audit.py`` can re-check an export offline, trusting nothing of ours.
Entries still in the audit outbox (recorded, not chained yet: ``oshi.audit``; the chainer takes about a
second on AWS, at most its 2-minute sweep) are counted as ``chain.pending``, never shown or exported
unchained: a read-only route, it does not chain them itself.
"""

from __future__ import annotations

from typing import Annotated

from oshi import audit
from oshi.kernel import clock
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="system.schemas:AuditPage")
MAX_PAGE = 500


@endpoint
def get_audit(
    date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> JsonObject:
    partition = date or clock.utc_now().strftime("%Y-%m-%d")
    entries = audit.partition_entries(partition)
    problems = audit.verify_chain(entries)
    # audit.to_json is already the export's JSON form (AuditEntryOut): passed through untouched
    page = [audit.to_json(e) for e in entries if int(e.seq) > after_seq][:limit]
    more = bool(page) and page[-1]["seq"] < (int(entries[-1].seq) if entries else 0)
    return {
        "partition": partition,
        "entries": page,
        "next_after_seq": page[-1]["seq"] if more else None,
        "chain": {
            "entries": len(entries),
            "intact": not problems,
            "problems": problems,
            "pending": audit.pending_count(partition),
        },
    }


handler = endpoint.lambda_handler
