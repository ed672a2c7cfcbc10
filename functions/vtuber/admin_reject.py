"""POST /api/admin/vtubers/{vtuber_id}/reject (admin, MFA). Reject a pending application; the reason is shown to the applicant.

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
    from vtuber.schemas import RejectIn

endpoint = Endpoint(
    __name__, body_model="vtuber.schemas:RejectIn", response_model="vtuber.schemas:DecisionOut"
)


@endpoint
def post_reject(vtuber_id: str, body: RejectIn) -> JsonObject:
    decision = vtubers.decide(
        endpoint.caller().user_id, vtuber_id, "reject", reason=body.reason, request_id=endpoint.request_id
    )
    return bodies.decision(decision)


handler = endpoint.lambda_handler
