"""POST /api/auth/sessions/revoke-others: every other session and access token of the caller stops
working at once (``oshi.identity.revocation``); this one continues with the new tokens returned."""

from __future__ import annotations

from auth import bodies, web_session
from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

endpoint = Endpoint(__name__, response_model="auth.schemas:TokensOut")


@endpoint
def post_sessions_revoke_others() -> Response[JsonObject]:
    web = web_session.web_client(endpoint)
    caller = endpoint.caller()
    pair = accounts.sign_out_others(caller.user_id, mfa=caller.mfa)
    cookie = web_session.refresh_cookie(pair.refresh_token, web) if web else None
    return web_session.json_response(bodies.tokens(pair, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
