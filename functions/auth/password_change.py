"""POST /api/auth/password/change: the current password is required; every other session is signed out
and this one continues with the new tokens returned (in the cookie for the fan app)."""

from __future__ import annotations

from auth import web_session
from auth.schemas import ChangePasswordIn, TokensOut
from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


@endpoint
def post_password_change(body: ChangePasswordIn) -> Response[TokensOut]:
    web = web_session.web_client(endpoint)
    caller = endpoint.caller()
    pair = accounts.change_password(caller.user_id, body.current_password, body.new_password, mfa=caller.mfa)
    cookie = web_session.refresh_cookie(pair.refresh_token, web) if web else None
    return web_session.json_response(TokensOut.of(pair, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
