"""VTuber screening: apply, admin decisions (conditional status transitions, audited), and the
"approved" check every VTuber call makes (``oshi.catalogue.vtuber_queries``, with the other reads).

Status machine (each arrow is one conditional update, so two admins deciding at once cannot both win)::

    (none|rejected) --apply--> pending --approve--> approved --suspend--> suspended
                               pending --reject---> rejected            suspended --approve--> approved

The ``Vtuber`` item is the source of truth for "approved": the ``vtuber`` role in a token only gets the
caller past the gateway; ``require_approved`` is checked on every upload and gacha call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oshi import audit
from oshi.catalogue.vtuber_queries import find_by_user, get_by_public_id
from oshi.identity.principal import Role
from oshi.kernel import clock
from oshi.kernel.errors import VtuberAlreadyApplied, VtuberStatusConflict
from oshi.kernel.ids import new_id
from oshi.kernel.observability import logger
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.vtubers import Vtuber, VtuberStatus

CONDITION_FAILED = "ConditionalCheckFailedException"


@dataclass(frozen=True)
class Transition:
    action: str  # audit action suffix and route verb
    audit_action: str
    sources: frozenset[VtuberStatus]
    target: VtuberStatus


TRANSITIONS = {
    "approve": Transition(
        "approve",
        "vtuber.approved",
        frozenset({VtuberStatus.PENDING, VtuberStatus.SUSPENDED}),
        VtuberStatus.APPROVED,
    ),
    "reject": Transition(
        "reject", "vtuber.rejected", frozenset({VtuberStatus.PENDING}), VtuberStatus.REJECTED
    ),
    "suspend": Transition(
        "suspend", "vtuber.suspended", frozenset({VtuberStatus.APPROVED}), VtuberStatus.SUSPENDED
    ),
}


def snapshot(vtuber: Vtuber) -> dict[str, Any]:
    """What the audit log keeps of a VTuber before and after a decision."""
    return {"status": vtuber.status, "reason": vtuber.reason, "channel_name": vtuber.channel_name}


def apply(
    user_id: str, *, channel_name: str, channel_url: str, description: str, request_id: str | None = None
) -> Vtuber:
    now = clock.utc_now()
    existing = find_by_user(user_id)
    if existing is not None and existing.status != VtuberStatus.REJECTED:
        raise VtuberAlreadyApplied(details={"status": existing.status})
    txn = Txn()  # the application and its audit entry commit together (the audit outbox)
    if existing is None:
        vtuber = Vtuber(
            user_id,
            vtuber_id=new_id(),
            status=VtuberStatus.PENDING.value,
            channel_name=channel_name,
            channel_url=channel_url,
            description=description,
            applied_at=now,
            updated_at=now,
            storage_bytes=0,
        )
        txn.put("vtuber", vtuber, condition=Vtuber.user_id.does_not_exist())
        before = None
    else:  # re-application after a rejection keeps the public id
        vtuber = existing
        before = snapshot(existing)
        txn.update(
            "vtuber",
            vtuber,
            [
                Vtuber.status.set(VtuberStatus.PENDING.value),
                Vtuber.channel_name.set(channel_name),
                Vtuber.channel_url.set(channel_url),
                Vtuber.description.set(description),
                Vtuber.applied_at.set(now),
                Vtuber.updated_at.set(now),
                Vtuber.reason.remove(),
            ],
            condition=Vtuber.status == VtuberStatus.REJECTED.value,
        )
        # A transaction returns no attributes: the object takes the new values itself (audit, answer).
        vtuber.status, vtuber.reason = VtuberStatus.PENDING.value, None
        vtuber.channel_name, vtuber.channel_url, vtuber.description = channel_name, channel_url, description
        vtuber.applied_at = vtuber.updated_at = now
    audit.add(
        txn,
        user_id,
        "vtuber.applied",
        f"vtuber/{vtuber.vtuber_id}",
        before=before,
        after=snapshot(vtuber),
        request_id=request_id,
    )
    try:
        txn.commit()
    except ConditionsFailed:
        raise VtuberAlreadyApplied() from None
    return vtuber


@dataclass(frozen=True)
class Decision:
    vtuber: Vtuber
    role_changed: bool


def decide(
    actor: str, vtuber_id: str, action: str, *, reason: str | None = None, request_id: str | None = None
) -> Decision:
    """Apply an admin decision (approve / reject / suspend): the status (a conditional update), the
    ``vtuber`` role it implies (granted on approval, revoked on suspension) and their audit entries commit
    in ONE transaction (the audit outbox), so no crash leaves a decision unaudited or half applied.

    The role is best effort by design: this item's status is what every VTuber call checks, so a user
    without an account record (service accounts, tests) does not block the decision: it is taken without
    the role (``role_changed`` false)."""
    from oshi.identity import users  # the auth service's module; imported only by the admin decision handlers

    transition = TRANSITIONS[action]
    vtuber = get_by_public_id(vtuber_id)
    before = snapshot(vtuber)
    now = clock.utc_now()
    actions: list[Any] = [
        Vtuber.status.set(transition.target.value),
        Vtuber.decided_at.set(now),
        Vtuber.decided_by.set(actor),
        Vtuber.updated_at.set(now),
        Vtuber.reason.set(reason) if reason else Vtuber.reason.remove(),
    ]
    # A transaction returns no attributes (an UpdateItem refreshed the object): it takes the values itself.
    vtuber.status, vtuber.reason = transition.target.value, reason or None
    vtuber.decided_at, vtuber.decided_by, vtuber.updated_at = now, actor, now
    changes_role = transition.target in (VtuberStatus.APPROVED, VtuberStatus.SUSPENDED)
    for role_changed in (True, False) if changes_role else (False,):
        txn = Txn()
        txn.update(
            "vtuber", vtuber, actions, condition=Vtuber.status.is_in(*(s.value for s in transition.sources))
        )
        if role_changed:
            grant = transition.target is VtuberStatus.APPROVED
            users.change_role_in(txn, vtuber.user_id, Role.VTUBER, add=grant, actor=actor)
        audit.add(
            txn,
            actor,
            transition.audit_action,
            f"vtuber/{vtuber_id}",
            before=before,
            after={**snapshot(vtuber), "role_changed": role_changed},
            request_id=request_id,
        )
        try:
            txn.commit()
            break
        except ConditionsFailed as failed:
            if "vtuber" in failed.labels:
                current = find_by_user(vtuber.user_id)
                raise VtuberStatusConflict(
                    f"Cannot {action} a VTuber whose status is {current.status if current else 'unknown'}.",
                    details={"status": current.status if current else None, "action": action},
                ) from None
            if failed.labels != {users.ROLE_LABEL}:
                raise
            logger.warning("no user record to change the vtuber role of", extra={"user_id": vtuber.user_id})
    if action in ("approve", "reject"):  # the applicant is told by mail (issue 18: mail.receipts)
        _publish_screened(vtuber, vtuber_id, action, reason, now)
    return Decision(vtuber, role_changed)


def _publish_screened(vtuber: Vtuber, vtuber_id: str, action: str, reason: str | None, at: Any) -> None:
    from oshi.events import bus
    from oshi.events.definitions import VTUBER_SCREENED, VtuberScreenedData

    data = VtuberScreenedData(
        vtuber_id=vtuber_id,
        user_id=vtuber.user_id,
        decision="approved" if action == "approve" else "rejected",
        reason=reason,
        decided_at=int(at.timestamp()),
    )
    bus.publish([VTUBER_SCREENED.event(data)])
