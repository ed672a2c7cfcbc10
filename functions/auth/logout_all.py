"""POST /api/auth/logout-all: sign out everywhere. Every refresh family and access token of the caller,
this request's included, stops working (``oshi.identity.revocation``)."""

from __future__ import annotations

from oshi.identity import sessions
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="auth.schemas:SignedOutEverywhereOut")


@endpoint
def post_logout_all() -> JsonObject:
    sessions.sign_out_everywhere(endpoint.caller().user_id)
    return {"signed_out_everywhere": True}


handler = endpoint.lambda_handler
