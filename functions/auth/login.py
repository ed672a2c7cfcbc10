"""POST /api/auth/login: tokens, or an MFA challenge when the account has MFA on.

With ``X-Oshi-Client: web`` the refresh token goes into the HttpOnly cookie, not the body (web_session)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auth import web_session
from auth.schemas import MAX_PASSWORD_CHARS, LoginOut
from auth.web_session import seen
from oshi.identity import sessions
from oshi.identity.sessions import TokenPair
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


@endpoint
def post_login(body: LoginIn) -> Response[LoginOut]:
    web = web_session.web_client(endpoint)  # before the password check: a refused Origin learns nothing
    result = sessions.login(body.email, body.password, seen=seen(endpoint))
    cookie = (
        web_session.refresh_cookie(result.refresh_token, web)
        if web and isinstance(result, TokenPair)
        else None
    )
    return web_session.json_response(LoginOut.of(result, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
