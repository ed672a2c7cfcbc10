"""Opaque, rotating refresh tokens with reuse detection.

A refresh token is 256 bits (URL-safe base64); only its SHA-256 is stored. Each login starts a *family*
with a random token; each use rotates: the presented token becomes ``rotated`` and its successor is
issued, in one transaction conditioned on the old one still being active and the family not revoked (so
two concurrent uses of one token cannot both rotate it).

Successors are derived, not drawn: ``successor_of(token) = HMAC(refresh key, token)``, the key in Secrets
Manager (``{prefix}/auth/refresh-key``). Only someone holding the token *and* the key can compute it, and
the server can hand out the same successor again without storing it.

Reuse: a rotated token presented again revokes its whole family (the newest token stops working too),
is audited, and answers ``REFRESH_TOKEN_REUSED``. One exception, the grace window: a client whose
refresh response was lost retries with the token it still has; within ``GRACE_SECONDS`` of the
rotation, while the successor is still the family's unused newest token, the retry gets that SAME
successor again (nothing is written). A thief replaying a stolen token in that window gets the victim's
token, not a second branch: the family still has exactly one live token, and whichever of them uses it
second is a reuse that revokes everything. Anything else presented after rotation is a reuse.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from oshi import audit
from oshi.identity import revocation
from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.errors import InvalidRefreshToken, RefreshTokenReused
from oshi.kernel.settings import Settings, get_settings
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.sessions import RefreshFamily, RefreshToken

REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
GRACE_SECONDS = 10
ACTIVE, ROTATED = "active", "rotated"
KEY_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Issued:
    token: str  # the raw token: handed to the client, never stored
    family_id: str
    user_id: str
    amr: tuple[str, ...]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def key_secret_name(settings: Settings) -> str:
    return f"{settings.prefix}/auth/refresh-key"


_key: tuple[float, bytes] | None = None


def forget_key() -> None:
    global _key
    _key = None


def _successor_key() -> bytes:
    """The active key of ``{"active_kid", "keys": {kid: base64}}`` (the MFA key set's format)."""
    global _key
    if _key is None or time.monotonic() - _key[0] > KEY_CACHE_SECONDS:
        secret_id = key_secret_name(get_settings())
        raw = json.loads(client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
        _key = (time.monotonic(), base64.b64decode(raw["keys"][raw["active_kid"]]))
    return _key[1]


def successor_of(token: str) -> str:
    """The token that replaces ``token`` at its rotation: always the same one, for that token."""
    digest = hmac.new(_successor_key(), b"oshi-refresh-successor:" + token.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def _expiry(now: float) -> datetime:
    return datetime.fromtimestamp(int(now) + REFRESH_TOKEN_SECONDS, UTC)


def _new_token(family_id: str, user_id: str, now: float, raw: str) -> tuple[str, RefreshToken]:
    item = RefreshToken(
        token_hash(raw),
        family_id=family_id,
        user_id=user_id,
        status=ACTIVE,
        issued_at=int(now),
        expires_at=_expiry(now),
    )
    return raw, item


def start_family(
    user_id: str,
    amr: list[str],
    *,
    now: float | None = None,
    client: str | None = None,
    ip: str | None = None,
) -> Issued:
    at = now if now is not None else clock.now()
    family_id = uuid.uuid4().hex
    raw, item = _new_token(family_id, user_id, at, secrets.token_urlsafe(32))
    family = RefreshFamily(
        family_id,
        user_id=user_id,
        amr=list(amr),
        head=item.token_hash,
        revoked=False,
        created_at=int(at),
        expires_at=_expiry(at),
        last_used_at=int(at),
        client=client[:200] if client else None,
        ip=ip[:64] if ip else None,
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
        try:
            return _rotate(token, item, family, at)
        except InvalidRefreshToken:
            # A concurrent use of the same token rotated it first: its successor is this request's too.
            found = _find(token)
            if found is None or (same := _same_successor(token, *found, at)) is None:
                raise
            return same
    if (same := _same_successor(token, item, family, at)) is not None:
        return same
    revoke_family(
        family.family_id,
        reason="reuse",
        audited=(
            "system",
            "auth.refresh_reuse_detected",
            f"user/{family.user_id}",
            {"family_id": family.family_id, "revoked": True},
        ),
    )
    raise RefreshTokenReused()


def _same_successor(token: str, item: RefreshToken, family: RefreshFamily, at: float) -> Issued | None:
    """Within the grace window, the rotated token's successor again, if nobody has used it yet."""
    if (
        family.revoked
        or item.status != ROTATED
        or item.rotated_at is None
        or at - float(item.rotated_at) > GRACE_SECONDS
        or item.replaced_by != family.head
    ):
        return None
    successor = successor_of(token)
    if token_hash(successor) != item.replaced_by:
        return None  # rotated under another key (a key rotation): cannot be handed out again
    try:
        current = RefreshToken.get(item.replaced_by, consistent_read=True)
    except DoesNotExist:
        return None
    if current.status != ACTIVE:
        return None
    return Issued(successor, family.family_id, family.user_id, tuple(str(method) for method in family.amr))


def _rotate(token: str, old: RefreshToken, family: RefreshFamily, now: float) -> Issued:
    raw, new = _new_token(family.family_id, family.user_id, now, successor_of(token))
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
        [
            RefreshFamily.head.set(new.token_hash),
            RefreshFamily.expires_at.set(_expiry(now)),
            RefreshFamily.last_used_at.set(int(now)),  # the sessions list's "last used"
        ],
        condition=(RefreshFamily.revoked == False) & (RefreshFamily.head == old.token_hash),  # noqa: E712
    )
    try:
        txn.commit()
    except (ConditionsFailed, TransactWriteError):
        # Another request rotated or revoked first (a failed condition, or a conflicting transaction):
        # its outcome stands, this one is refused.
        raise InvalidRefreshToken() from None
    return Issued(raw, family.family_id, family.user_id, tuple(str(method) for method in family.amr))


def revoke_family(
    family_id: str, *, reason: str, audited: tuple[str, str, str, dict[str, Any]] | None = None
) -> None:
    """Mark the family revoked (an unknown or expired family: nothing to do). ``audited``: (actor, action,
    target, after) of an audit entry committed with the revocation (the audit outbox)."""
    actions: list[Any] = [RefreshFamily.revoked.set(True), RefreshFamily.revoked_reason.set(reason)]
    if audited is not None:
        actor, action, target, after = audited
        txn = Txn()
        txn.update("family", RefreshFamily(family_id), actions, condition=RefreshFamily.family_id.exists())
        audit.add(txn, actor, action, target, after=after)
        with contextlib.suppress(ConditionsFailed):
            txn.commit()
        return
    try:
        RefreshFamily(family_id).update(actions=actions, condition=RefreshFamily.family_id.exists())
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
