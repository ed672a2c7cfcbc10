"""POST /api/admin/vtubers/{vtuber_id}/reject (admin, MFA). Reject a pending application; the reason is shown to the applicant.

A conditional status transition (409 ``VTUBER_STATUS_CONFLICT`` when it does not apply), audited with
actor, before/after and the request id.
"""

from __future__ import annotations

from oshi.catalogue import vtubers
from oshi.web.api import Endpoint
from vtuber import bodies
from vtuber.schemas import AdminVtuberOut, DecisionOut, RejectIn

endpoint = Endpoint(__name__)


@endpoint
def post_reject(vtuber_id: str, body: RejectIn) -> DecisionOut:
    decision = vtubers.decide(
        endpoint.caller().user_id, vtuber_id, "reject", reason=body.reason, request_id=endpoint.request_id
    )
    return DecisionOut(
        vtuber=AdminVtuberOut.model_validate(bodies.admin_vtuber(decision.vtuber)),
        role_changed=decision.role_changed,
    )


handler = endpoint.lambda_handler
