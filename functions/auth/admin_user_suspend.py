"""POST /api/admin/users/{user_id}/suspend: stop an account (admin, MFA). Its sign-ins and refreshes are
refused from now on and the tokens it holds are revoked (``oshi.identity.users.suspend``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import users
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from auth.schemas import SuspendUserIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:SuspendUserIn", response_model="auth.schemas:UserSuspendedOut"
)


@endpoint
def post_admin_user_suspend(user_id: str, body: SuspendUserIn) -> JsonObject:
    profile = users.suspend(user_id, actor=endpoint.caller().user_id, reason=body.reason)
    return {"user_id": profile.user_id, "suspended": profile.suspended}


handler = endpoint.lambda_handler
