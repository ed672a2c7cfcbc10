"""GET /api/me: the caller's profile (from the users table) and the roles of this session.

``roles`` and ``mfa`` describe the session (the access token): a role granted since sign-in shows up
after the next refresh. Callers without an account record (service or test tokens) get just those.
"""

from __future__ import annotations

from auth import bodies
from oshi.identity import profiles
from oshi.mail import suppression
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="auth.schemas:MeOut")


@endpoint
def get_me() -> JsonObject:
    caller = endpoint.caller()
    profile = profiles.find_user(caller.user_id)
    suppressed = profile is not None and suppression.is_suppressed(profile.email)
    return bodies.me(caller, profile, suppressed)


handler = endpoint.lambda_handler
