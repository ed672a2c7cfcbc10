"""Opaque, rotating refresh tokens with reuse detection.

A refresh token is 256 random bits (URL-safe base64); only its SHA-256 is stored. Each login starts a
*family*; each use rotates: the presented token becomes ``rotated`` and a new one is issued, in one
transaction conditioned on the old one still being active and the family not revoked (so two concurrent
uses of one token cannot both rotate it).

Reuse: a rotated token presented again revokes its whole family (the newest token stops working too),
is audited, and answers ``REFRESH_TOKEN_REUSED``. One exception, the grace window: if the response of a
rotation was lost (the client retries with the token it still has), the retry within
``GRACE_SECONDS`` of the rotation, while the successor is still the family's unused newest token, rotates
that successor instead. The family still has exactly one live token (the lost one dies), and any later
use of a dead token revokes everything.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from oshi import audit
from oshi.identity import revocation
from oshi.kernel import clock
from oshi.kernel.errors import InvalidRefreshToken, RefreshTokenReused
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.sessions import RefreshFamily, RefreshToken

REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
GRACE_SECONDS = 10
ACTIVE, ROTATED = "active", "rotated"


@dataclass(frozen=True)
class Issued:
    token: str  # the raw token: handed to the client, never stored
    family_id: str
    user_id: str
    amr: tuple[str, ...]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expiry(now: float) -> datetime:
    return datetime.fromtimestamp(int(now) + REFRESH_TOKEN_SECONDS, UTC)


def _new_token(family_id: str, user_id: str, now: float) -> tuple[str, RefreshToken]:
    raw = secrets.token_urlsafe(32)
    item = RefreshToken(
        token_hash(raw),
        family_id=family_id,
        user_id=user_id,
        status=ACTIVE,
        issued_at=int(now),
        expires_at=_expiry(now),
    )
    return raw, item


def start_family(user_id: str, amr: list[str], *, now: float | None = None) -> Issued:
    at = now if now is not None else clock.now()
    family_id = uuid.uuid4().hex
    raw, item = _new_token(family_id, user_id, at)
    family = RefreshFamily(
        family_id,
        user_id=user_id,
        amr=list(amr),
        head=item.token_hash,
        revoked=False,
        created_at=int(at),
        expires_at=_expiry(at),
    )
    txn = Txn()
    txn.put("family", family, condition=RefreshFamily.family_id.does_not_exist())
    txn.put("token", item, condition=RefreshToken.token_hash.does_not_exist())
    txn.commit()
    return Issued(raw, family_id, user_id, tuple(amr))


def _find(token: str) -> tuple[RefreshToken, RefreshFamily] | None:
    try:
        item = RefreshToken.get(token_hash(token), consistent_read=True)
        family = RefreshFamily.get(item.family_id, consistent_read=True)
    except DoesNotExist:
        return None
    return item, family


def rotate(token: str, *, now: float | None = None) -> Issued:
    """Exchange a refresh token for its successor, or raise ``InvalidRefreshToken`` / ``RefreshTokenReused``."""
    at = now if now is not None else clock.now()
    found = _find(token)
    if found is None:
        raise InvalidRefreshToken()
    item, family = found
    if family.revoked or item.expires_at <= datetime.fromtimestamp(at, UTC):
        raise InvalidRefreshToken()
    if int(family.created_at) < revocation.read_not_before(family.user_id, consistent=True):
        # Signed out everywhere (or suspended) since this login: the family is void, mark it so.
        revoke_family(family.family_id, reason="revoked")
        raise InvalidRefreshToken()
    if item.status == ACTIVE:
        return _rotate(item, family, at)
    if (
        item.rotated_at is not None
        and at - float(item.rotated_at) <= GRACE_SECONDS
        and item.replaced_by == family.head
    ):
        try:
            successor = RefreshToken.get(family.head, consistent_read=True)
        except DoesNotExist:
            successor = None
        if successor is not None and successor.status == ACTIVE:
            return _rotate(successor, family, at)
    revoke_family(family.family_id, reason="reuse")
    audit.record(
        "system",
        "auth.refresh_reuse_detected",
        f"user/{family.user_id}",
        after={"family_id": family.family_id, "revoked": True},
    )
    raise RefreshTokenReused()


def _rotate(old: RefreshToken, family: RefreshFamily, now: float) -> Issued:
    raw, new = _new_token(family.family_id, family.user_id, now)
    txn = Txn()
    txn.update(
        "old",
        old,
        [
            RefreshToken.status.set(ROTATED),
            RefreshToken.rotated_at.set(int(now)),
            RefreshToken.replaced_by.set(new.token_hash),
        ],
        condition=RefreshToken.status == ACTIVE,
    )
    txn.put("new", new, condition=RefreshToken.token_hash.does_not_exist())
    txn.update(
        "family",
        family,
        [RefreshFamily.head.set(new.token_hash), RefreshFamily.expires_at.set(_expiry(now))],
        condition=(RefreshFamily.revoked == False) & (RefreshFamily.head == old.token_hash),  # noqa: E712
    )
    try:
        txn.commit()
    except (ConditionsFailed, TransactWriteError):
        # Another request rotated or revoked first (a failed condition, or a conflicting transaction):
        # its outcome stands, this one is refused.
        raise InvalidRefreshToken() from None
    return Issued(raw, family.family_id, family.user_id, tuple(str(method) for method in family.amr))


def revoke_family(family_id: str, *, reason: str) -> None:
    try:
        RefreshFamily(family_id).update(
            actions=[RefreshFamily.revoked.set(True), RefreshFamily.revoked_reason.set(reason)],
            condition=RefreshFamily.family_id.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def revoke(token: str) -> bool:
    """Logout: revoke the family of any token of it (rotated ones included). False if unknown."""
    found = _find(token)
    if found is None:
        return False
    revoke_family(found[1].family_id, reason="logout")
    return True


def family_of(token: str) -> RefreshFamily | None:
    found = _find(token)
    return found[1] if found else None
