"""POST /api/auth/email/verify: use the link mailed at sign-up (single use, 24 h)."""

from __future__ import annotations

from auth.schemas import EmailVerifiedOut, LinkTokenIn
from oshi.identity import accounts
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def post_email_verify(body: LinkTokenIn) -> EmailVerifiedOut:
    accounts.verify_email(body.token)
    return EmailVerifiedOut(email_verified=True)


handler = endpoint.lambda_handler
