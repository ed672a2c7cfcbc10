"""GET /api/auth/sessions: the caller's signed-in sessions (refresh-token families), newest first."""

from __future__ import annotations

from auth import bodies
from oshi.identity import session_views
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="auth.schemas:SessionsOut")


@endpoint
def get_sessions() -> JsonObject:
    return bodies.sessions(session_views.list_sessions(endpoint.caller().user_id))


handler = endpoint.lambda_handler
