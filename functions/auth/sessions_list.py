"""GET /api/auth/sessions: the caller's signed-in sessions (refresh-token families), newest first."""

from __future__ import annotations

from auth.schemas import SessionOut, SessionsOut
from oshi.identity import accounts
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def get_sessions() -> SessionsOut:
    return SessionsOut(
        items=[
            SessionOut(
                session_id=s.family_id,
                created_at=s.created_at,
                last_used_at=s.last_used_at,
                client=s.client,
                ip=s.ip,
                mfa=s.mfa,
            )
            for s in accounts.list_sessions(endpoint.caller().user_id)
        ]
    )


handler = endpoint.lambda_handler
