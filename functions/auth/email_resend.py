"""POST /api/auth/email/resend: a new verification link for the caller (rate-limited per account and
capped per address and hour). Sign in again after verifying: the token's ``email_verified`` is read at
sign-in and refresh."""

from __future__ import annotations

from auth.schemas import VerificationSentOut
from oshi.identity import accounts, users
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def post_email_resend() -> VerificationSentOut:
    user_id = endpoint.caller().user_id
    sent = accounts.send_verification(user_id)
    return VerificationSentOut(sent=sent, email_verified=users.get_user(user_id).email_verified)


handler = endpoint.lambda_handler
