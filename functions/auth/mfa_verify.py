"""POST /api/auth/mfa/verify: exchange the login's MFA challenge and a TOTP code for tokens (amr pwd+mfa)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auth.schemas import TokensOut
from oshi.identity import sessions
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class MfaVerifyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    challenge: str = Field(min_length=20, max_length=2048)
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")


@endpoint
def post_mfa_verify(body: MfaVerifyIn) -> TokensOut:
    return TokensOut.of(sessions.verify_mfa(body.challenge, body.code))


handler = endpoint.lambda_handler
