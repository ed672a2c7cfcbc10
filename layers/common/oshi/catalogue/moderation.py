"""Admin moderation of single gachas: suspend one gacha's sale without suspending its VTuber.

A suspended gacha stays listed (fans who bought can see it) but ``storefront.is_on_sale`` is false, so
purchases stop at once; orders already paid are compensated by the draw service (refund) if the
fulfilment finds the gacha suspended.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from oshi import audit
from oshi.events import bus
from oshi.events.definitions import GACHA_SUSPENDED, GachaSuspendedData
from oshi.kernel import clock
from oshi.kernel.errors import Conflict, EventPublishFailed, GachaNotFound
from oshi.kernel.observability import logger
from oshi.models.gachas import Gacha, GachaStatus


class GachaNotSuspendable(Conflict):
    code = "GACHA_STATUS_CONFLICT"
    default_message = "Only a published gacha can be suspended."


def _view(gacha: Gacha) -> dict[str, Any]:
    return {"status": gacha.status, "version": int(gacha.version)}


def suspend_gacha(actor: str, gacha_id: str, *, reason: str, request_id: str | None = None) -> Gacha:
    try:
        gacha = Gacha.get(gacha_id, consistent_read=True)
    except DoesNotExist:
        raise GachaNotFound() from None
    if gacha.status == GachaStatus.SUSPENDED:
        return gacha  # idempotent: a retried request changes nothing and audits nothing
    before = _view(gacha)
    now = clock.utc_now()
    try:
        gacha.update(
            actions=[
                Gacha.status.set(GachaStatus.SUSPENDED.value),
                Gacha.updated_at.set(now),
                Gacha.version.add(1),
            ],
            condition=Gacha.status == GachaStatus.PUBLISHED.value,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise GachaNotSuspendable(details={"status": gacha.status}) from None
        raise
    audit.record(
        actor,
        "gacha.suspended",
        f"gacha/{gacha_id}",
        before=before,
        after={**_view(gacha), "reason": reason},
        request_id=request_id,
    )
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
