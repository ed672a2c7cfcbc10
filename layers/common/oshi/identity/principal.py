"""Who is acting: the roles a user can hold and the authenticated caller.

Every context reasons about these; they live here (not in the HTTP layer) so that the domain never imports
the route table. Import-light: the authorizer reads it on every cold start.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class Role(StrEnum):
    FAN = "fan"
    VTUBER = "vtuber"
    ADMIN = "admin"


class Caller(NamedTuple):
    user_id: str
    roles: frozenset[Role]
    mfa: bool = False
    issued_at: int = 0  # the access token's iat: revocation voids tokens issued before a marker
    # The account's email was verified when the token was issued (claim "ev"): purchase routes need it,
    # read from the token so that the purchase path adds no read of the user item.
    email_verified: bool = False

    def to_context(self) -> dict[str, str]:
        """The authorizer context API Gateway passes to the handler (values must be strings)."""
        return {
            "user_id": self.user_id,
            "roles": ",".join(sorted(role.value for role in self.roles)),
            "mfa": "true" if self.mfa else "false",
            "iat": str(self.issued_at),
            "ev": "true" if self.email_verified else "false",
        }

    @classmethod
    def from_context(cls, context: dict[str, Any] | None) -> Caller | None:
        if not context or not context.get("user_id"):
            return None
        roles = frozenset(
            Role(r) for r in str(context.get("roles", "")).split(",") if r in Role._value2member_map_
        )
        try:
            issued_at = int(str(context.get("iat", "0")))
        except ValueError:
            issued_at = 0  # unknown age: any revocation marker voids it
        return cls(
            user_id=str(context["user_id"]),
            roles=roles,
            mfa=str(context.get("mfa")).lower() == "true",
            issued_at=issued_at,
            email_verified=str(context.get("ev")).lower() == "true",
        )
