"""POST /api/auth/mfa/setup: a new TOTP secret for the caller's authenticator app (shown this once)."""

from __future__ import annotations

from pydantic import BaseModel

from oshi.identity import users
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class MfaSetupOut(BaseModel):
    secret: str
    provisioning_uri: str


@endpoint
def post_mfa_setup() -> MfaSetupOut:
    secret, uri = users.start_mfa_setup(endpoint.caller().user_id)
    return MfaSetupOut(secret=secret, provisioning_uri=uri)


handler = endpoint.lambda_handler
