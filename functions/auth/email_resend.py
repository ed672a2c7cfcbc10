"""POST /api/auth/email/resend: a new verification link for the caller (rate-limited per account and
capped per address and hour). Sign in again after verifying: the token's ``email_verified`` is read at
sign-in and refresh."""

from __future__ import annotations

from oshi.identity import accounts, users
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="auth.schemas:VerificationSentOut")


@endpoint
def post_email_resend() -> JsonObject:
    user_id = endpoint.caller().user_id
    sent = accounts.send_verification(user_id)
    return {"sent": sent, "email_verified": users.get_user(user_id).email_verified}


handler = endpoint.lambda_handler
