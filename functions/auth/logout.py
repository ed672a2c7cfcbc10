"""POST /api/auth/logout: revoke the session (the refresh token's whole family). Always succeeds.

With ``X-Oshi-Client: web`` and ``{}`` the token comes from the ``oshi_refresh`` cookie, which the answer
clears (web_session)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth import web_session
from oshi.identity import sessions
from oshi.kernel.errors import ValidationFailed
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import RefreshTokenIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:RefreshTokenIn", response_model="auth.schemas:LogoutOut"
)


@endpoint
def post_logout(body: RefreshTokenIn) -> Response[JsonObject]:
    web = web_session.web_client(endpoint)
    token = body.refresh_token or (web.cookie_token if web else None)
    if token is None and web is None:
        raise ValidationFailed(details=[web_session.MISSING_TOKEN])
    if token is not None:
        sessions.logout(token)
    return web_session.json_response({"signed_out": True}, web_session.cleared_cookie(web) if web else None)


handler = endpoint.lambda_handler
