"""POST /api/auth/logout-all: sign out everywhere. Every refresh family and access token of the caller,
this request's included, stops working (``oshi.identity.revocation``)."""

from __future__ import annotations

from pydantic import BaseModel

from oshi.identity import sessions
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class SignedOutEverywhereOut(BaseModel):
    signed_out_everywhere: bool = True


@endpoint
def post_logout_all() -> SignedOutEverywhereOut:
    sessions.sign_out_everywhere(endpoint.caller().user_id)
    return SignedOutEverywhereOut()


handler = endpoint.lambda_handler
