"""The committed OpenAPI document is the one the code generates (run `make openapi` after changing routes),
and it is a valid OpenAPI document: a frontend is generated from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from local.openapi import render
from oshi.web.routes import ROUTES

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(render())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_committed_openapi_matches_the_code(document: dict[str, Any]) -> None:
    assert json.loads(DOC.read_text()) == document, "docs/openapi.json is stale: run `make openapi`"


def test_the_committed_document_is_valid_openapi() -> None:
    validate(json.loads(DOC.read_text()))  # raises OpenAPIValidationError with the first problem


def test_every_route_is_documented_with_its_security(document: dict[str, Any]) -> None:
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert ("security" in operation) is (not route.is_public), route.path
        assert operation["responses"]["422"]["content"]["application/json"]["schema"] == ERROR_REF


def test_every_parameter_is_in_query_header_path_or_cookie(document: dict[str, Any]) -> None:
    misplaced = [
        (method, path, parameter["name"], parameter["in"])
        for method, path, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["in"] not in {"query", "header", "path", "cookie"}
    ]
    assert misplaced == []


def test_every_client_error_is_the_one_error_schema(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        client_errors = {s: r for s, r in operation["responses"].items() if s.startswith("4")}
        assert "4XX" in client_errors, (method, path)
        for status, response in client_errors.items():
            assert response["content"] == {"application/json": {"schema": ERROR_REF}}, (method, path, status)
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    assert set(schemas["ErrorInfo"]["properties"]) == {"code", "message", "details"}
    # Powertools' own validation bodies are not ours: nothing documents them.
    assert not {"HTTPValidationError", "ValidationError", "ResponseValidationError"} & set(schemas)
