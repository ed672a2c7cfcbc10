"""POST /api/auth/password/forgot: mail a reset link if the address has an account. Always 202 with the
same body, whether or not it does (no enumeration); at most a few mails per address and hour."""

from __future__ import annotations

from auth.schemas import AcceptedOut, ForgotPasswordIn
from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


@endpoint
def post_password_forgot(body: ForgotPasswordIn) -> Response[AcceptedOut]:
    accounts.forgot_password(body.email)
    return Response(status_code=202, content_type="application/json", body=AcceptedOut())


handler = endpoint.lambda_handler
