"""DELETE /api/auth/sessions/{session_id}: sign one of the caller's sessions out (its refresh token stops
working; its access token lapses within 15 minutes)."""

from __future__ import annotations

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="auth.schemas:SessionRevokedOut")


@endpoint
def delete_session(session_id: str) -> JsonObject:
    accounts.revoke_session(endpoint.caller().user_id, session_id)
    return {"revoked": True}


handler = endpoint.lambda_handler
