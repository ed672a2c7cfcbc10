"""POST /api/auth/password/change: the current password is required; every other session is signed out
and this one continues with the new tokens returned (in the cookie for the fan app)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth import bodies, web_session
from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import ChangePasswordIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:ChangePasswordIn", response_model="auth.schemas:TokensOut"
)


@endpoint
def post_password_change(body: ChangePasswordIn) -> Response[JsonObject]:
    web = web_session.web_client(endpoint)
    caller = endpoint.caller()
    pair = accounts.change_password(caller.user_id, body.current_password, body.new_password, mfa=caller.mfa)
    cookie = web_session.refresh_cookie(pair.refresh_token, web) if web else None
    return web_session.json_response(bodies.tokens(pair, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
