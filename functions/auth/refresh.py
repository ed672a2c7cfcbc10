"""POST /api/auth/refresh: rotate the refresh token; roles are re-read from the account.

The token comes from the body (API clients) or, with ``X-Oshi-Client: web`` and ``{}``, from the
``oshi_refresh`` cookie; in the web flow the rotated token goes back into the cookie (web_session)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth import bodies, web_session
from oshi.identity import sessions
from oshi.kernel.errors import InvalidRefreshToken, ValidationFailed
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import RefreshTokenIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:RefreshTokenIn", response_model="auth.schemas:TokensOut"
)


@endpoint
def post_refresh(body: RefreshTokenIn) -> Response[JsonObject]:
    web = web_session.web_client(endpoint)
    token = body.refresh_token or (web.cookie_token if web else None)
    if token is None:
        if web is None:  # an API client that sent no token: the body is wrong, as before the cookie existed
            raise ValidationFailed(details=[web_session.MISSING_TOKEN])
        raise InvalidRefreshToken()  # the fan app without a cookie: no session to continue
    pair = sessions.refresh(token)
    cookie = web_session.refresh_cookie(pair.refresh_token, web) if web else None
    return web_session.json_response(bodies.tokens(pair, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
