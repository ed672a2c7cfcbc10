"""GET /api/me: the caller as the authorizer saw them."""

from __future__ import annotations

from pydantic import BaseModel

from oshi.api import Endpoint

endpoint = Endpoint(__name__)


class MeOut(BaseModel):
    user_id: str
    roles: list[str]
    mfa: bool


@endpoint
def get_me() -> MeOut:
    caller = endpoint.caller()
    return MeOut(user_id=caller.user_id, roles=sorted(r.value for r in caller.roles), mfa=caller.mfa)


handler = endpoint.lambda_handler
