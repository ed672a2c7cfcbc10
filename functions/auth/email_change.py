"""POST /api/auth/email/change: move the account to a new address (password required). A link goes to
the new address; the change happens when it is followed (POST /api/auth/email/verify), and the old
address is told then."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auth.schemas import MAX_PASSWORD_CHARS
from oshi.identity import accounts
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class ChangeEmailIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new_email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EmailChangeRequestedOut(BaseModel):
    """``sent`` is false when the new address got its hourly share of mail or cannot receive mail."""

    sent: bool


@endpoint
def post_email_change(body: ChangeEmailIn) -> EmailChangeRequestedOut:
    return EmailChangeRequestedOut(
        sent=accounts.request_email_change(endpoint.caller().user_id, body.password, body.new_email)
    )


handler = endpoint.lambda_handler
