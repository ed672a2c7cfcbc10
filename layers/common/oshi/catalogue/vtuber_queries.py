"""Reading VTubers: the caller's VTuber item and the "approved" check every VTuber call makes.

Apart from ``oshi.catalogue.vtubers`` (applications and screening decisions: transactions, audit), so the
console's read routes load the VTuber model and nothing of the screening machinery (docs/performance.md §1).
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from oshi.kernel.errors import VtuberNotApproved, VtuberNotFound
from oshi.models.vtubers import Vtuber, VtuberStatus

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
