"""POST /api/auth/email/verify: use the link mailed at sign-up (single use, 24 h)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from auth.schemas import LinkTokenIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:LinkTokenIn", response_model="auth.schemas:EmailVerifiedOut"
)


@endpoint
def post_email_verify(body: LinkTokenIn) -> JsonObject:
    accounts.verify_email(body.token)
    return {"email_verified": True}


handler = endpoint.lambda_handler
