"""A user as the rest of the system sees them (``UserProfile``: no password hash, no MFA secret, no lockout
state), read from the users table. Apart from ``oshi.identity.users`` (sign-in, MFA, roles, suspension,
all audited), so a route that only reads a profile (``GET /api/me``, the spending cap) loads none of that at
its cold start; ``oshi.identity.users`` re-exports ``find_user`` and ``get_user`` for its callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pynamodb.exceptions import DoesNotExist

from oshi.identity.principal import Role
from oshi.kernel.errors import UserNotFound
from oshi.models.users import User


@dataclass(frozen=True)
class UserProfile:
    """A user as the rest of the system sees them: no password hash, no MFA secret, no lockout state."""

    user_id: str
    email: str
    display_name: str
    birth_date: date
    roles: frozenset[Role]
    mfa_enabled: bool
    terms_version: str
    created_at: datetime
    suspended: bool = False
    email_verified: bool = False
    locale: str = "ja"
    recovery_codes_left: int = 0
    deletion_requested_at: int | None = None

    @classmethod
    def of(cls, user: User) -> UserProfile:
        return cls(
            user_id=user.user_id,
            email=user.email,
            display_name=user.display_name,
            birth_date=date.fromisoformat(user.birth_date),
            roles=roles_of(user),
            mfa_enabled=bool(user.mfa_enabled),
            terms_version=user.terms_version,
            created_at=user.created_at,
            suspended=bool(user.suspended),
            email_verified=bool(user.email_verified),
            locale=user.locale or "ja",
            recovery_codes_left=len(user.mfa_recovery_codes or ()),
            deletion_requested_at=(
                int(user.deletion_requested_at) if user.deletion_requested_at is not None else None
            ),
        )


def roles_of(user: User) -> frozenset[Role]:
    return frozenset(Role(r) for r in (user.roles or set()) if r in Role._value2member_map_)


def load(user_id: str) -> User:
    """The user item itself, secrets included (for ``oshi.identity`` modules); ``UserNotFound`` if none."""
    try:
        return User.get(user_id, consistent_read=True)
    except DoesNotExist:
        raise UserNotFound() from None


def find_user(user_id: str) -> UserProfile | None:
    try:
        return UserProfile.of(User.get(user_id, consistent_read=True))
    except DoesNotExist:
        return None


def get_user(user_id: str) -> UserProfile:
    """The user's profile; raises ``UserNotFound`` (404) if there is no such user."""
    return UserProfile.of(load(user_id))
