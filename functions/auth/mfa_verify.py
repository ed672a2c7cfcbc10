"""POST /api/auth/mfa/verify: exchange the login's MFA challenge and a TOTP code for tokens (amr pwd+mfa).

With ``X-Oshi-Client: web`` the refresh token goes into the HttpOnly cookie, not the body (web_session)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth import bodies, web_session
from oshi.identity import sessions, tokens
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import MfaVerifyIn

endpoint = Endpoint(__name__, body_model="auth.schemas:MfaVerifyIn", response_model="auth.schemas:TokensOut")
tokens.load_verifier()  # every request verifies an MFA challenge: PyJWT at init, not on the first


@endpoint
def post_mfa_verify(body: MfaVerifyIn) -> Response[JsonObject]:
    web = web_session.web_client(endpoint)
    pair = sessions.verify_mfa(body.challenge, body.code, seen=web_session.seen(endpoint))
    cookie = web_session.refresh_cookie(pair.refresh_token, web) if web else None
    return web_session.json_response(bodies.tokens(pair, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
