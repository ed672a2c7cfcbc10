"""POST /api/auth/mfa/verify: exchange the login's MFA challenge and a TOTP code for tokens (amr pwd+mfa).

With ``X-Oshi-Client: web`` the refresh token goes into the HttpOnly cookie, not the body (web_session)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auth import web_session
from auth.schemas import TokensOut
from oshi.identity import sessions
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


class MfaVerifyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    challenge: str = Field(min_length=20, max_length=2048)
    # A 6-digit TOTP code, or a recovery code (xxxx-xxxx-xxxx-xxxx), each usable once.
    code: str = Field(min_length=6, max_length=19, pattern=r"^(\d{6}|[A-Za-z0-9]{4}(-?[A-Za-z0-9]{4}){3})$")


@endpoint
def post_mfa_verify(body: MfaVerifyIn) -> Response[TokensOut]:
    web = web_session.web_client(endpoint)
    pair = sessions.verify_mfa(body.challenge, body.code, seen=web_session.seen(endpoint))
    cookie = web_session.refresh_cookie(pair.refresh_token, web) if web else None
    return web_session.json_response(TokensOut.of(pair, in_cookie=web is not None), cookie)


handler = endpoint.lambda_handler
