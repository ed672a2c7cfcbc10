"""The committed OpenAPI document is the one the code generates (run `make openapi` after changing routes)."""

from __future__ import annotations

import json
from pathlib import Path

from local.openapi import render
from oshi.web.routes import ROUTES

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_matches_the_code() -> None:
    assert json.loads(DOC.read_text()) == json.loads(render()), (
        "docs/openapi.json is stale: run `make openapi`"
    )


def test_every_route_is_documented_with_its_security() -> None:
    document = json.loads(render())
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert ("security" in operation) is (not route.is_public), route.path
        assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
