"""POST /api/auth/mfa/recovery-codes: ten new one-time recovery codes (password required, from an MFA
session); the previous ones stop working."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from auth.schemas import RecoveryCodesIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:RecoveryCodesIn", response_model="auth.schemas:RecoveryCodesOut"
)


@endpoint
def post_mfa_recovery_codes(body: RecoveryCodesIn) -> JsonObject:
    return {"recovery_codes": accounts.regenerate_recovery_codes(endpoint.caller().user_id, body.password)}


handler = endpoint.lambda_handler
