"""Who may call what: the one rule, used by the authorizer (policy) and by every handler (defence in depth)."""

from __future__ import annotations

from enum import StrEnum

from oshi.identity.principal import Caller
from oshi.kernel.errors import EmailNotVerified, Forbidden, MfaRequired, Unauthorized
from oshi.web.routes import Route


class Decision(StrEnum):
    ALLOW = "allow"
    SIGN_IN = "sign_in"
    WRONG_ROLE = "wrong_role"
    NEEDS_MFA = "needs_mfa"
    NEEDS_VERIFIED_EMAIL = "needs_verified_email"


def decide(route: Route, caller: Caller | None) -> Decision:
    if route.is_public:
        return Decision.ALLOW
    if caller is None:
        return Decision.SIGN_IN
    if not (caller.roles & route.roles):
        return Decision.WRONG_ROLE
    if route.mfa and not caller.mfa:
        return Decision.NEEDS_MFA
    if route.verified_email and not caller.email_verified:
        return Decision.NEEDS_VERIFIED_EMAIL
    return Decision.ALLOW


def require(route: Route, caller: Caller | None) -> None:
    """Raise the error a caller sees when ``decide`` says no."""
    decision = decide(route, caller)
    if decision is Decision.SIGN_IN:
        raise Unauthorized()
    if decision is Decision.WRONG_ROLE:
        raise Forbidden()
    if decision is Decision.NEEDS_MFA:
        raise MfaRequired()
    if decision is Decision.NEEDS_VERIFIED_EMAIL:
        raise EmailNotVerified()
