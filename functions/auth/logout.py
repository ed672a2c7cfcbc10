"""POST /api/auth/logout: revoke the session (the refresh token's whole family). Always succeeds."""

from __future__ import annotations

from pydantic import BaseModel

from auth.schemas import RefreshTokenIn
from oshi.identity import sessions
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class LogoutOut(BaseModel):
    signed_out: bool = True


@endpoint
def post_logout(body: RefreshTokenIn) -> LogoutOut:
    sessions.logout(body.refresh_token)
    return LogoutOut()


handler = endpoint.lambda_handler
