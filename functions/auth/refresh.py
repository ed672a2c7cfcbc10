"""POST /api/auth/refresh: rotate the refresh token; roles are re-read from the account."""

from __future__ import annotations

from auth.schemas import RefreshTokenIn, TokensOut
from oshi.identity import sessions
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def post_refresh(body: RefreshTokenIn) -> TokensOut:
    return TokensOut.of(sessions.refresh(body.refresh_token))


handler = endpoint.lambda_handler
