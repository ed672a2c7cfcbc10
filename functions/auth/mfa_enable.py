"""POST /api/auth/mfa/enable: turn MFA on with a code from the app. Sign in again for an MFA session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import users
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from auth.schemas import MfaCodeIn

endpoint = Endpoint(__name__, body_model="auth.schemas:MfaCodeIn", response_model="auth.schemas:MfaEnableOut")


@endpoint
def post_mfa_enable(body: MfaCodeIn) -> JsonObject:
    user_id = endpoint.caller().user_id
    profile = users.enable_mfa(user_id, body.code)
    return {"mfa_enabled": profile.mfa_enabled, "recovery_codes": users.issue_recovery_codes(user_id)}


handler = endpoint.lambda_handler
