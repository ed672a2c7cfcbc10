"""Revoking a user's tokens before they expire: one "issued before T are void" marker per user.

Access tokens are stateless (15 minutes) and API Gateway caches the authorizer's policy per token
(5 minutes), so signing out everywhere, suspending an account or resetting a password needs a
check that reaches tokens already handed out. The marker (``token-revocations``: ``user_id`` →
``not_before``) voids every access token whose ``iat`` and every refresh family whose ``created_at`` is
earlier. It only moves forward.

Who reads it, and what it costs:
- the authorizer, on each of its invocations (API Gateway's policy cache already amortises those);
- every signed-in handler (``oshi.web.api``), so a policy cached before the revocation stops working too;
- refresh rotation (``oshi.identity.refresh_tokens``), with a consistent read and no cache.
The first two share a per-container cache of ``CACHE_SECONDS``: a revocation takes effect everywhere within
that time (immediately in the container that wrote it), at one GetItem per user per container per
``CACHE_SECONDS``. A token issued in the same second as the revocation is void too (``iat`` has
one-second resolution; erring on the side of revoking).

Import-light (boto3's low-level client, no PynamoDB): the authorizer imports it on its cold start.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NamedTuple

from oshi.identity.principal import Caller
from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings

TABLE = "token-revocations"
CACHE_SECONDS = 30
KEEP_SECONDS = 31 * 24 * 3600  # the marker outlives every token it voids (refresh families: 30 days)
_CACHE_MAX_USERS = 10_000  # a container's memory bound; past it the cache starts over

SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
SUSPENDED = "suspended"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a reason label, not a secret


class _Cached(NamedTuple):
    not_before: int
    loaded_at: float


_cache: dict[str, _Cached] = {}
_age_clock: Callable[[], float] = time.monotonic  # cache ages (durations, not "now"); tests move it


def forget() -> None:
    """Drop the per-container cache (tests; a new container starts empty)."""
    _cache.clear()


def _table_name() -> str:
    return get_settings().table_name(TABLE)


def read_not_before(user_id: str, *, consistent: bool = False) -> int:
    """The user's marker straight from the table (0 when there is none)."""
    item = (
        client("dynamodb")
        .get_item(
            TableName=_table_name(),
            Key={"user_id": {"S": user_id}},
            ProjectionExpression="not_before",
            ConsistentRead=consistent,
        )
        .get("Item")
    )
    return int(item["not_before"]["N"]) if item else 0


def not_before(user_id: str) -> int:
    """The marker, from the per-container cache when it is younger than ``CACHE_SECONDS``."""
    cached = _cache.get(user_id)
    now = _age_clock()
    if cached is not None and now - cached.loaded_at < CACHE_SECONDS:
        return cached.not_before
    value = read_not_before(user_id)
    if len(_cache) >= _CACHE_MAX_USERS:
        _cache.clear()
    _cache[user_id] = _Cached(value, now)
    return value


def is_revoked(caller: Caller) -> bool:
    """True when the caller's access token was issued before their marker."""
    return caller.issued_at < not_before(caller.user_id)


def revoke_all(
    user_id: str, *, reason: str, now: float | None = None, audited: tuple[str, str, str] | None = None
) -> int:
    """Void every token and refresh family the user holds now. Returns the marker (epoch seconds).
    ``audited``: (actor, action, target) of an audit entry committed with the marker (the audit outbox)."""
    at = now if now is not None else clock.now()
    marker = math.floor(at) + 1  # void everything issued up to and including this second
    if audited is not None:
        marker = _revoke_audited(user_id, reason, marker, audited)
        _cache[user_id] = _Cached(marker, _age_clock())
        return marker
    try:
        client("dynamodb").update_item(
            TableName=_table_name(),
            Key={"user_id": {"S": user_id}},
            UpdateExpression="SET not_before = :t, #reason = :r, expires_at = :e",
            ExpressionAttributeNames={"#reason": "reason"},
            # Only forward: a slower, earlier revocation never shortens a later one.
            ConditionExpression="attribute_not_exists(not_before) OR not_before < :t",
            ExpressionAttributeValues={
                ":t": {"N": str(marker)},
                ":r": {"S": reason},
                ":e": {"N": str(marker + KEEP_SECONDS)},
            },
        )
    except client("dynamodb").exceptions.ConditionalCheckFailedException:
        marker = read_not_before(user_id, consistent=True)
    _cache[user_id] = _Cached(marker, _age_clock())  # this container sees it at once
    return marker


def _revoke_audited(user_id: str, reason: str, marker: int, audited: tuple[str, str, str]) -> int:
    """The marker and its audit entry in one transaction (PynamoDB, imported here only: the authorizer never
    revokes). A later marker already there voids everything this one would: nothing is written, and the
    request is recorded on its own."""
    from datetime import UTC, datetime

    from oshi import audit
    from oshi.kernel.txn import ConditionsFailed, Txn
    from oshi.models.sessions import TokenRevocation

    txn = Txn()
    txn.update(
        "marker",
        TokenRevocation(user_id),
        [
            TokenRevocation.not_before.set(marker),
            TokenRevocation.reason.set(reason),
            TokenRevocation.expires_at.set(datetime.fromtimestamp(marker + KEEP_SECONDS, UTC)),
        ],
        # Only forward: a slower, earlier revocation never shortens a later one.
        condition=TokenRevocation.not_before.does_not_exist() | (TokenRevocation.not_before < marker),
    )
    audit.add(txn, *audited)
    try:
        txn.commit()
    except ConditionsFailed:
        audit.record(*audited)
        return read_not_before(user_id, consistent=True)
    return marker
