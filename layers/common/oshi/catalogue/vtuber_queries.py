"""Reading VTubers: the caller's VTuber item, the "approved" check every VTuber call makes, and the
screening queue.

Apart from ``oshi.catalogue.vtubers`` (applications and screening decisions: transactions, audit), so the
console's read routes load the VTuber model and nothing of the screening machinery (docs/performance.md §1).
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from oshi.kernel import cursors
from oshi.kernel.errors import VtuberNotApproved, VtuberNotFound
from oshi.models.vtubers import Vtuber, VtuberStatus

MAX_PAGE = 100
_NOT_APPROVED_MESSAGES = {
    "none": "Apply to become a VTuber first (POST /api/vtuber/apply).",
    VtuberStatus.PENDING: "Your VTuber application is still being reviewed.",
    VtuberStatus.REJECTED: "Your VTuber application was not approved.",
    VtuberStatus.SUSPENDED: "Your VTuber account is suspended.",
}


def find_by_user(user_id: str) -> Vtuber | None:
    try:
        return Vtuber.get(user_id, consistent_read=True)
    except DoesNotExist:
        return None


def get_by_public_id(vtuber_id: str) -> Vtuber:
    """By public id (index, then a consistent read of the item). ``VtuberNotFound`` if unknown."""
    hit = next(iter(Vtuber.by_public_id.query(vtuber_id, limit=1)), None)
    vtuber = find_by_user(hit.user_id) if hit is not None else None
    if vtuber is None:
        raise VtuberNotFound()
    return vtuber


def require_approved(user_id: str) -> Vtuber:
    """The caller's VTuber item if approved; else ``VtuberNotApproved`` (403) naming the status."""
    vtuber = find_by_user(user_id)
    status = vtuber.status if vtuber is not None else "none"
    if vtuber is None or status != VtuberStatus.APPROVED:
        raise VtuberNotApproved(_NOT_APPROVED_MESSAGES.get(status), details={"status": status})
    return vtuber


def list_by_status(
    status: VtuberStatus, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[Vtuber], str | None]:
    """One page of the screening queue, oldest application first."""
    start = cursors.decode(cursor, ("status", "applied_at", "user_id"))
    results = Vtuber.by_status.query(
        status.value, limit=max(1, min(limit, MAX_PAGE)), last_evaluated_key=start
    )
    items = list(results)
    return items, cursors.encode(results.last_evaluated_key)
