"""The one clock the auth logic reads (epoch seconds), so tests move time instead of sleeping."""

from __future__ import annotations

import time


def now() -> float:
    return time.time()
