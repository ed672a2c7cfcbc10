"""Identifiers: sortable, URL-safe, 26 characters (a ULID: 48-bit millisecond time + 80 random bits).

Sortable ids keep "newest first" listings and cursors cheap; the random part (``secrets``) makes them
unguessable, so an id never reveals another user's objects by enumeration.
"""

from __future__ import annotations

import secrets
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(now_ms: int | None = None) -> str:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars)).lower()
