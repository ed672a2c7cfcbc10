"""POST /api/auth/password/reset: a new password with the mailed link (single use, 30 min). Every session
of the account is signed out and the account is told by mail."""

from __future__ import annotations

from auth.schemas import PasswordResetOut, ResetPasswordIn
from oshi.identity import accounts
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def post_password_reset(body: ResetPasswordIn) -> PasswordResetOut:
    accounts.reset_password(body.token, body.password)
    return PasswordResetOut()


handler = endpoint.lambda_handler
