"""POST /api/auth/mfa/recovery-codes: ten new one-time recovery codes (password required, from an MFA
session); the previous ones stop working."""

from __future__ import annotations

from auth.schemas import RecoveryCodesIn, RecoveryCodesOut
from oshi.identity import accounts
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def post_mfa_recovery_codes(body: RecoveryCodesIn) -> RecoveryCodesOut:
    return RecoveryCodesOut(
        recovery_codes=accounts.regenerate_recovery_codes(endpoint.caller().user_id, body.password)
    )


handler = endpoint.lambda_handler
