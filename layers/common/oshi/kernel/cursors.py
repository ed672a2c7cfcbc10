"""Opaque page cursors: a DynamoDB LastEvaluatedKey, base64url-encoded, checked strictly on the way back."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from oshi.kernel.errors import InvalidCursor

MAX_CURSOR_CHARS = 1024


def encode(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, key_names: Iterable[str]) -> dict[str, Any] | None:
    """The key to resume from; ``InvalidCursor`` for anything that is not one of ours for this listing."""
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor()
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidCursor() from None
    if not isinstance(value, dict) or set(value) != set(key_names):
        raise InvalidCursor()
    for attr in value.values():
        if not (
            isinstance(attr, dict)
            and len(attr) == 1
            and next(iter(attr)) in ("S", "N")
            and isinstance(next(iter(attr.values())), str)
        ):
            raise InvalidCursor()
    return value


OFFSET_KEY = "offset"


def encode_offset(offset: int | None) -> str | None:
    """A cursor for a page computed in memory (a search or a sort): the position of the next item."""
    return encode({OFFSET_KEY: {"N": str(offset)}}) if offset else None


def decode_offset(cursor: str | None, maximum: int) -> int:
    value = decode(cursor, (OFFSET_KEY,))
    if value is None:
        return 0
    try:
        offset = int(value[OFFSET_KEY]["N"])
    except (KeyError, ValueError):
        raise InvalidCursor() from None
    if not 0 < offset <= maximum:
        raise InvalidCursor()
    return offset
