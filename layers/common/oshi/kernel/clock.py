"""The one clock: every business rule asks here what time it is, so tests move time instead of sleeping.

``now()`` is wall time in epoch seconds; ``utc_now()`` is the same instant as an aware UTC datetime.
Tests monkeypatch ``oshi.kernel.clock.now`` and every rule (lockout, token expiry, sale windows,
payment windows, spending months, download expiry, ...) moves with it: ``utc_now`` reads ``now`` at
call time. Durations (timeouts, cache ages, latencies) are measured with ``time.monotonic`` /
``time.perf_counter`` instead: they are not "now". Where a library would read the system clock itself,
our code supplies this one's value (token ``iat``/``exp`` are issued from it, and ``oshi.identity.tokens``
checks ``exp``/``nbf``/``iat`` against it instead of PyJWT's own check); the exceptions are Stripe's
signature tolerance (``stripe_adapter.verify_signature``, real time as the stripe library used), the ULID time prefix of ``oshi.kernel.ids``
(sort order, not a rule) and the events envelope's ``created_at``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> float:
    return time.time()


def utc_now() -> datetime:
    return datetime.fromtimestamp(now(), UTC)
