"""POST /api/auth/login: tokens, or an MFA challenge when the account has MFA on.

With ``X-Oshi-Client: web`` the refresh token goes into the HttpOnly cookie, not the body (web_session)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth import bodies, web_session
from auth.web_session import seen
from oshi.identity import sessions
from oshi.identity.sessions import TokenPair
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import LoginIn

endpoint = Endpoint(__name__, body_model="auth.schemas:LoginIn", response_model="auth.schemas:LoginOut")


@endpoint
def post_login(body: LoginIn) -> Response[JsonObject]:
    web = web_session.web_client(endpoint)  # before the password check: a refused Origin learns nothing
    result = sessions.login(body.email, body.password, seen=seen(endpoint))
    if not isinstance(result, TokenPair):
        return web_session.json_response(bodies.mfa_challenge(result))
    cookie = web_session.refresh_cookie(result.refresh_token, web) if web else None
    return web_session.json_response(bodies.signed_in(result, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
