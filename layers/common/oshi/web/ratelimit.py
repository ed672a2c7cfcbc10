"""Per-subject fixed-window rate limits kept in DynamoDB: one conditional ADD per request.

The counter's key names the scope, the subject and the window's start, so each window is a fresh item
and DynamoDB's TTL removes it afterwards. The ADD only applies while the count is below the limit, so
concurrent requests can never push it past the limit (a refused request does not count). Over the
limit: 429 ``RATE_LIMITED`` with ``Retry-After`` = seconds left in the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from oshi.kernel import clock
from oshi.kernel.errors import TooManyRequests
from oshi.models.ratelimit import RateLimitCounter

TTL_GRACE_SECONDS = 3600  # TTL deletion is lazy; the key's window start keeps old items harmless anyway


@dataclass(frozen=True)
class Limit:
    scope: str  # e.g. "download-url"
    max_hits: int
    window_seconds: int = 60


def _is_condition_failure(exc: UpdateError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def hit(limit: Limit, subject: str, *, now: float | None = None) -> int:
    """Count one request of ``subject``; returns the hits so far in this window, or raises 429."""
    at = clock.now() if now is None else now
    window_start = int(at // limit.window_seconds) * limit.window_seconds
    window_end = window_start + limit.window_seconds
    counter = RateLimitCounter(f"{limit.scope}#{subject}#{window_start}")
    try:
        counter.update(
            actions=[
                RateLimitCounter.hits.add(1),
                RateLimitCounter.expires_at.set(datetime.fromtimestamp(window_end + TTL_GRACE_SECONDS, UTC)),
            ],
            condition=RateLimitCounter.hits.does_not_exist() | (RateLimitCounter.hits < limit.max_hits),
        )
    except UpdateError as exc:
        if not _is_condition_failure(exc):
            raise
        retry_after = max(1, math.ceil(window_end - at))
        raise TooManyRequests(
            details={"limit": limit.max_hits, "window_seconds": limit.window_seconds},
            headers={"Retry-After": str(retry_after)},
        ) from None
    return int(counter.hits)
