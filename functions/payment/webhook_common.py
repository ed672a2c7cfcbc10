"""The raw body of a webhook request, exactly as signed (API Gateway may base64-encode it)."""

from __future__ import annotations

import base64
from typing import Any


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8")
