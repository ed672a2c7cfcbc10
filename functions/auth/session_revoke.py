"""DELETE /api/auth/sessions/{session_id}: sign one of the caller's sessions out (its refresh token stops
working; its access token lapses within 15 minutes)."""

from __future__ import annotations

from auth.schemas import SessionRevokedOut
from oshi.identity import accounts
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def delete_session(session_id: str) -> SessionRevokedOut:
    accounts.revoke_session(endpoint.caller().user_id, session_id)
    return SessionRevokedOut()


handler = endpoint.lambda_handler
