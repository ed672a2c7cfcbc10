"""POST /api/admin/vtubers/{vtuber_id}/approve (admin, MFA). Approve a pending (or reinstate a suspended) VTuber; grants the vtuber role.

A conditional status transition (409 ``VTUBER_STATUS_CONFLICT`` when it does not apply), audited with
actor, before/after and the request id.
"""

from __future__ import annotations

from typing import Annotated

from oshi.catalogue import vtubers
from oshi.web.api import Endpoint
from oshi.web.params import Body
from vtuber import bodies
from vtuber.schemas import AdminVtuberOut, DecisionIn, DecisionOut

endpoint = Endpoint(__name__)


@endpoint
def post_approve(vtuber_id: str, body: Annotated[DecisionIn | None, Body()] = None) -> DecisionOut:
    decision = vtubers.decide(
        endpoint.caller().user_id,
        vtuber_id,
        "approve",
        reason=body.reason if body else None,
        request_id=endpoint.request_id,
    )
    return DecisionOut(
        vtuber=AdminVtuberOut.model_validate(bodies.admin_vtuber(decision.vtuber)),
        role_changed=decision.role_changed,
    )


handler = endpoint.lambda_handler
