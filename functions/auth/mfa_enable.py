"""POST /api/auth/mfa/enable: turn MFA on with a code from the app. Sign in again for an MFA session."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from oshi.identity import users
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class MfaCodeIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")


class MfaEnableOut(BaseModel):
    mfa_enabled: bool
    # Shown once: ten one-time codes, each usable once instead of a TOTP code (only hashes are kept).
    recovery_codes: list[str] = []


@endpoint
def post_mfa_enable(body: MfaCodeIn) -> MfaEnableOut:
    user_id = endpoint.caller().user_id
    profile = users.enable_mfa(user_id, body.code)
    return MfaEnableOut(mfa_enabled=profile.mfa_enabled, recovery_codes=users.issue_recovery_codes(user_id))


handler = endpoint.lambda_handler
