"""The Idempotency-Key rule, written once for every route that takes one (purchase, trade).

A key is 1-100 printable ASCII characters (0x21-0x7E: no spaces, no control characters), the whole
value: ``fullmatch``, so a trailing newline is refused too (``re.match`` with ``$`` would accept it).
Anything else is 400 ``IDEMPOTENCY_KEY_REQUIRED``, whichever route: the purchase takes the key as optional
(``optional``), the trade requires one (``required``).
"""

from __future__ import annotations

import re

from oshi.kernel.errors import IdempotencyKeyRequired

HEADER = "Idempotency-Key"
MAX_LENGTH = 100
PATTERN = re.compile(rf"[\x21-\x7e]{{1,{MAX_LENGTH}}}")
RULE = f"1-{MAX_LENGTH} printable ASCII characters (no spaces or control characters)"


def required(key: str | None) -> str:
    """``key`` if it follows the rule, else ``IdempotencyKeyRequired`` (missing and empty included)."""
    if key is None or not PATTERN.fullmatch(key):
        raise IdempotencyKeyRequired(details=[{"field": HEADER, "message": RULE}])
    return key


def optional(key: str | None) -> str | None:
    """None when no key was sent; a key that was sent must follow the rule."""
    return None if key is None else required(key)
