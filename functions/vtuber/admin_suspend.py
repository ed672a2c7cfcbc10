"""POST /api/admin/vtubers/{vtuber_id}/suspend (admin, MFA). Suspend an approved VTuber: uploads, gacha edits and sales stop; the vtuber role is revoked.

A conditional status transition (409 ``VTUBER_STATUS_CONFLICT`` when it does not apply), audited with
actor, before/after and the request id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import vtubers
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import bodies

if TYPE_CHECKING:
    from vtuber.schemas import DecisionIn

endpoint = Endpoint(
    __name__, body_model="vtuber.schemas:DecisionIn", response_model="vtuber.schemas:DecisionOut"
)


@endpoint
def post_suspend(vtuber_id: str, body: DecisionIn | None = None) -> JsonObject:
    decision = vtubers.decide(
        endpoint.caller().user_id,
        vtuber_id,
        "suspend",
        reason=body.reason if body else None,
        request_id=endpoint.request_id,
    )
    return bodies.decision(decision)


handler = endpoint.lambda_handler
