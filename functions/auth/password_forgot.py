"""POST /api/auth/password/forgot: mail a reset link if the address has an account. Always 202 with the
same body, whether or not it does (no enumeration); at most a few mails per address and hour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import ForgotPasswordIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:ForgotPasswordIn", response_model="auth.schemas:AcceptedOut"
)


@endpoint
def post_password_forgot(body: ForgotPasswordIn) -> Response[JsonObject]:
    accounts.forgot_password(body.email)
    return Response(202, "application/json", {"accepted": True})


handler = endpoint.lambda_handler
