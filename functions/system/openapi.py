"""GET /api/openapi.json: the API's contract, built from the route table on first request and cached."""

from __future__ import annotations

from functools import cache
from typing import Any

from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__)


@cache
def _document() -> dict[str, Any]:
    from oshi.web.openapi import build_document  # imports every handler module: only this function pays

    return build_document()


@endpoint
def get_openapi() -> JsonObject:  # JSON already: sent as it is
    return _document()


handler = endpoint.lambda_handler
