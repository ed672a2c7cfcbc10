"""A user's live sessions, as ``GET /api/auth/sessions`` lists them (a read apart from ``oshi.identity.accounts``,
whose flows send mail, publish events and audit: none of which a read route's cold start should load)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from oshi.identity import revocation
from oshi.kernel import clock
from oshi.models.sessions import RefreshFamily


@dataclass(frozen=True)
class SessionView:
    family_id: str
    created_at: int
    last_used_at: int
    client: str | None
    ip: str | None
    mfa: bool


def list_sessions(user_id: str) -> list[SessionView]:
    """The user's live sessions (refresh families neither revoked, expired nor voided), newest first."""
    not_before = revocation.read_not_before(user_id, consistent=True)
    now = datetime.fromtimestamp(clock.now(), UTC)
    found = []
    for family in RefreshFamily.by_user.query(user_id, scan_index_forward=False):
        if family.revoked or family.expires_at <= now or int(family.created_at) < not_before:
            continue
        found.append(
            SessionView(
                family_id=family.family_id,
                created_at=int(family.created_at),
                last_used_at=int(family.last_used_at or family.created_at),
                client=family.client,
                ip=family.ip,
                mfa="mfa" in (family.amr or []),
            )
        )
    return found
