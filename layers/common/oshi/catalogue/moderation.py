"""Admin moderation of single gachas: suspend one gacha's sale without suspending its VTuber.

A suspended gacha stays listed (fans who bought can see it) but ``storefront.is_on_sale`` is false, so
purchases stop at once; orders already paid are compensated by the draw service (refund) if the
fulfilment finds the gacha suspended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from oshi import audit
from oshi.events import bus
from oshi.kernel import clock
from oshi.kernel.errors import Conflict, EventPublishFailed, GachaNotFound
from oshi.kernel.observability import logger
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.gachas import Gacha, GachaStatus


class GachaNotSuspendable(Conflict):
    code = "GACHA_STATUS_CONFLICT"
    default_message = "Only a published gacha can be suspended."


def _view(gacha: Gacha) -> dict[str, Any]:
    return {"status": gacha.status, "version": int(gacha.version)}


CHANGE_ATTEMPTS = 3  # the suspension retried on a re-read when only the gacha's version moved meanwhile


def _commit_suspension(gacha: Gacha, actor: str, reason: str, now: datetime, request_id: str | None) -> bool:
    """The suspension and its audit entry in one transaction (the audit outbox), on the version read, so the
    entry's ``after`` is exactly what was written. False if the condition failed. A transaction returns no
    attributes (an UpdateItem refreshed the object): on success the object takes the new values itself."""
    before = _view(gacha)
    version = int(gacha.version)
    txn = Txn()
    txn.update(
        "gacha",
        gacha,
        [
            Gacha.status.set(GachaStatus.SUSPENDED.value),
            Gacha.updated_at.set(now),
            Gacha.version.set(version + 1),
        ],
        condition=(Gacha.status == GachaStatus.PUBLISHED.value) & (Gacha.version == version),
    )
    audit.add(
        txn,
        actor,
        "gacha.suspended",
        f"gacha/{gacha.gacha_id}",
        before=before,
        after={"status": GachaStatus.SUSPENDED.value, "version": version + 1, "reason": reason},
        request_id=request_id,
    )
    try:
        txn.commit()
    except ConditionsFailed:
        return False
    gacha.status, gacha.updated_at, gacha.version = GachaStatus.SUSPENDED.value, now, version + 1
    return True


def suspend_gacha(actor: str, gacha_id: str, *, reason: str, request_id: str | None = None) -> Gacha:
    try:
        gacha = Gacha.get(gacha_id, consistent_read=True)
    except DoesNotExist:
        raise GachaNotFound() from None
    if gacha.status == GachaStatus.SUSPENDED:
        return gacha  # idempotent: a retried request changes nothing and audits nothing
    now = clock.utc_now()
    for attempt in range(CHANGE_ATTEMPTS):
        if _commit_suspension(gacha, actor, reason, now, request_id):
            break
        # Refused: no longer published (409 naming the status read, as ever), or only its version moved
        # meanwhile (a campaign's discount): suspend what is there now, so the entry names its version.
        status = gacha.status
        gacha = Gacha.get(gacha_id, consistent_read=True)
        if attempt == CHANGE_ATTEMPTS - 1 or gacha.status != GachaStatus.PUBLISHED:
            raise GachaNotSuspendable(details={"status": status})
    # oshi.events.definitions imports pydantic: only a suspension that happened loads it, not the route's
    # cold start (a write route imports no pydantic, oshi.web.light_bodies)
    from oshi.events.definitions import GACHA_SUSPENDED, GachaSuspendedData

    event = GACHA_SUSPENDED.event(
        GachaSuspendedData(gacha_id=gacha_id, vtuber_id=gacha.vtuber_id, reason=reason),
        correlation_id=request_id,
        version=int(gacha.version),
    )
    try:
        bus.publish([event])
    except EventPublishFailed:
        # The suspension is committed and purchases already stop on the status; the event only informs.
        logger.exception("GachaSuspended not published", extra={"gacha_id": gacha_id})
    return gacha
