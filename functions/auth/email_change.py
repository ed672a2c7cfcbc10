"""POST /api/auth/email/change: move the account to a new address (password required). A link goes to
the new address; the change happens when it is followed (POST /api/auth/email/verify), and the old
address is told then."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from auth.schemas import ChangeEmailIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:ChangeEmailIn", response_model="auth.schemas:EmailChangeRequestedOut"
)


@endpoint
def post_email_change(body: ChangeEmailIn) -> JsonObject:
    return {"sent": accounts.request_email_change(endpoint.caller().user_id, body.password, body.new_email)}


handler = endpoint.lambda_handler
