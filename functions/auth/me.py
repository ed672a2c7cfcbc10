"""GET /api/me: the caller's profile (from the users table) and the roles of this session.

``roles`` and ``mfa`` describe the session (the access token): a role granted since sign-in shows up
after the next refresh. Callers without an account record (service or test tokens) get just those.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from oshi.identity import users
from oshi.identity.principal import Role
from oshi.mail import suppression
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


def _absent(value: object) -> bool:
    return value is None


class MeOut(BaseModel):
    user_id: str
    roles: list[Role]
    mfa: bool
    # Absent (not null) for callers without an account record.
    email: str | None = Field(default=None, exclude_if=_absent)
    display_name: str | None = Field(default=None, exclude_if=_absent)
    birth_date: date | None = Field(default=None, exclude_if=_absent)
    mfa_enabled: bool | None = Field(default=None, exclude_if=_absent)
    terms_version: str | None = Field(default=None, exclude_if=_absent)
    email_verified: bool | None = Field(default=None, exclude_if=_absent)
    # SES reported the address as bounced or complaining: nothing is mailed to it any more (issue 18).
    mail_suppressed: bool | None = Field(default=None, exclude_if=_absent)


@endpoint
def get_me() -> MeOut:
    caller = endpoint.caller()
    out = MeOut(
        user_id=caller.user_id, roles=[Role(v) for v in sorted(r.value for r in caller.roles)], mfa=caller.mfa
    )
    profile = users.find_user(caller.user_id)
    if profile is not None:
        out.email = profile.email
        out.display_name = profile.display_name
        out.birth_date = profile.birth_date
        out.mfa_enabled = profile.mfa_enabled
        out.terms_version = profile.terms_version
        out.email_verified = profile.email_verified
        out.mail_suppressed = suppression.is_suppressed(profile.email)
    return out


handler = endpoint.lambda_handler
