"""POST /api/auth/password/forgot: mail a reset link if the address has an account. Always 202 with the
same body, whether or not it does (no enumeration); at most a few mails per address and hour."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from auth.schemas import AcceptedOut, ForgotPasswordIn
from oshi.identity import accounts
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def post_password_forgot(body: ForgotPasswordIn) -> Response[AcceptedOut]:
    accounts.forgot_password(body.email)
    return Response(status_code=202, content_type="application/json", body=AcceptedOut())


handler = endpoint.lambda_handler
