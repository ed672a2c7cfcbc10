"""POST /api/auth/mfa/disable: MFA off, with the password and a second factor (TOTP or recovery code).
Every session ends; this one continues (without MFA) with the tokens returned. Not for admins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth import bodies, web_session
from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import MfaDisableIn

endpoint = Endpoint(__name__, body_model="auth.schemas:MfaDisableIn", response_model="auth.schemas:TokensOut")


@endpoint
def post_mfa_disable(body: MfaDisableIn) -> Response[JsonObject]:
    web = web_session.web_client(endpoint)
    pair = accounts.disable_mfa(endpoint.caller().user_id, body.password, body.code)
    cookie = web_session.refresh_cookie(pair.refresh_token, web) if web else None
    return web_session.json_response(bodies.tokens(pair, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
