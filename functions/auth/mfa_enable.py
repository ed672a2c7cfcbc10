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


@endpoint
def post_mfa_enable(body: MfaCodeIn) -> MfaEnableOut:
    profile = users.enable_mfa(endpoint.caller().user_id, body.code)
    return MfaEnableOut(mfa_enabled=profile.mfa_enabled)


handler = endpoint.lambda_handler
