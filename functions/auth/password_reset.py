"""POST /api/auth/password/reset: a new password with the mailed link (single use, 30 min). Every session
of the account is signed out and the account is told by mail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from auth.schemas import ResetPasswordIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:ResetPasswordIn", response_model="auth.schemas:PasswordResetOut"
)


@endpoint
def post_password_reset(body: ResetPasswordIn) -> JsonObject:
    accounts.reset_password(body.token, body.password)
    return {"password_reset": True}


handler = endpoint.lambda_handler
