"""POST /api/admin/users/{user_id}/suspend: stop an account (admin, MFA). Its sign-ins and refreshes are
refused from now on and the tokens it holds are revoked (``oshi.identity.users.suspend``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from oshi.identity import users
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class SuspendUserIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str = Field(min_length=1, max_length=500)


class UserSuspendedOut(BaseModel):
    user_id: str
    suspended: bool


@endpoint
def post_admin_user_suspend(user_id: str, body: SuspendUserIn) -> UserSuspendedOut:
    profile = users.suspend(user_id, actor=endpoint.caller().user_id, reason=body.reason)
    return UserSuspendedOut(user_id=profile.user_id, suspended=profile.suspended)


handler = endpoint.lambda_handler
