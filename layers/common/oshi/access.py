"""Who may call what: the one rule, used by the authorizer (policy) and by every handler (defence in depth)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from oshi.errors import Forbidden, MfaRequired, Unauthorized
from oshi.routes import Role, Route


@dataclass(frozen=True)
class Caller:
    user_id: str
    roles: frozenset[Role]
    mfa: bool = False

    def to_context(self) -> dict[str, str]:
        """The authorizer context API Gateway passes to the handler (values must be strings)."""
        return {
            "user_id": self.user_id,
            "roles": ",".join(sorted(role.value for role in self.roles)),
            "mfa": "true" if self.mfa else "false",
        }

    @classmethod
    def from_context(cls, context: dict[str, Any] | None) -> Caller | None:
        if not context or not context.get("user_id"):
            return None
        roles = frozenset(
            Role(r) for r in str(context.get("roles", "")).split(",") if r in Role._value2member_map_
        )
        return cls(
            user_id=str(context["user_id"]), roles=roles, mfa=str(context.get("mfa")).lower() == "true"
        )


class Decision(StrEnum):
    ALLOW = "allow"
    SIGN_IN = "sign_in"
    WRONG_ROLE = "wrong_role"
    NEEDS_MFA = "needs_mfa"


def decide(route: Route, caller: Caller | None) -> Decision:
    if route.is_public:
        return Decision.ALLOW
    if caller is None:
        return Decision.SIGN_IN
    if not (caller.roles & route.roles):
        return Decision.WRONG_ROLE
    if route.mfa and not caller.mfa:
        return Decision.NEEDS_MFA
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
