"""Per-subject fixed-window rate limits kept in DynamoDB: one conditional ADD per request.

The counter's key names the scope, the subject and the window's start, so each window is a fresh item
and DynamoDB's TTL removes it afterwards. The ADD only applies while the count is below the limit, so
concurrent requests can never push it past the limit (a refused request does not count). Over the
limit: 429 ``RATE_LIMITED`` with ``Retry-After`` = seconds left in the window. A route whose limit is
``in_transaction`` (the purchase) counts inside its own write instead (``add_hit``); a request of it that
writes nothing is counted on its own afterwards (``oshi.web.api``), so every request still counts once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import UpdateError

from oshi.kernel import clock
from oshi.kernel.errors import TooManyRequests
from oshi.models.ratelimit import RateLimitCounter

if TYPE_CHECKING:
    from oshi.kernel.txn import Txn

TTL_GRACE_SECONDS = 3600  # TTL deletion is lazy; the key's window start keeps old items harmless anyway


@dataclass(frozen=True)
class Limit:
    scope: str  # e.g. "download-url"
    max_hits: int
    window_seconds: int = 60


def _is_condition_failure(exc: UpdateError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


LABEL = "caller_limit"  # the counter's action in a transaction (``add_hit``)


def _window(limit: Limit, at: float) -> tuple[int, int]:
    window_start = int(at // limit.window_seconds) * limit.window_seconds
    return window_start, window_start + limit.window_seconds


def _counter(limit: Limit, subject: str, at: float) -> tuple[RateLimitCounter, list[Any], Any]:
    window_start, window_end = _window(limit, at)
    counter = RateLimitCounter(f"{limit.scope}#{subject}#{window_start}")
    actions = [
        RateLimitCounter.hits.add(1),
        RateLimitCounter.expires_at.set(datetime.fromtimestamp(window_end + TTL_GRACE_SECONDS, UTC)),
    ]
    return counter, actions, RateLimitCounter.hits.does_not_exist() | (RateLimitCounter.hits < limit.max_hits)


def refusal(limit: Limit, at: float | None = None) -> TooManyRequests:
    at = clock.now() if at is None else at
    retry_after = max(1, math.ceil(_window(limit, at)[1] - at))
    return TooManyRequests(
        details={"limit": limit.max_hits, "window_seconds": limit.window_seconds},
        headers={"Retry-After": str(retry_after)},
    )


def hit(limit: Limit, subject: str, *, now: float | None = None) -> int:
    """Count one request of ``subject``; returns the hits so far in this window, or raises 429."""
    at = clock.now() if now is None else now
    counter, actions, condition = _counter(limit, subject, at)
    try:
        counter.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if not _is_condition_failure(exc):
            raise
        raise refusal(limit, at) from None
    return int(counter.hits)


def add_hit(txn: Txn, limit: Limit, subject: str, *, now: float | None = None) -> None:
    """Count one request inside ``txn`` (the same conditional ADD): a purchase pays no round trip of its
    own for its limit. Over the limit the transaction fails with ``LABEL``, and nothing else is written."""
    counter, actions, condition = _counter(limit, subject, clock.now() if now is None else now)
    txn.update(LABEL, counter, actions, condition=condition)
