"""POST /api/auth/mfa/setup: a new TOTP secret for the caller's authenticator app (shown this once)."""

from __future__ import annotations

from oshi.identity import users
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="auth.schemas:MfaSetupOut")


@endpoint
def post_mfa_setup() -> JsonObject:
    secret, uri = users.start_mfa_setup(endpoint.caller().user_id)
    return {"secret": secret, "provisioning_uri": uri}


handler = endpoint.lambda_handler
