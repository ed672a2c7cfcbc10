"""The committed OpenAPI document is the one the code generates (run `make openapi` after changing routes),
it is a valid OpenAPI document, and it names every body: a frontend is generated from it."""

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
# The only operations whose 2xx body is not a named schema: the providers' webhook acknowledgements and
# the document itself.
UNNAMED_BODIES = {
    ("POST", "/api/payment/webhooks/stripe"),
    ("POST", "/api/payment/webhooks/komoju"),
    ("GET", "/api/openapi.json"),
}


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


def test_every_success_body_is_a_named_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    unnamed = []
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            ref = schema.get("$ref", "")
            if not ref.startswith("#/components/schemas/") or ref.rsplit("/", 1)[1] not in schemas:
                unnamed.append((method, path))
    assert sorted(set(unnamed)) == sorted(UNNAMED_BODIES)


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


def test_cached_catalogue_pages_document_the_model_they_send(document: dict[str, Any]) -> None:
    for route in ROUTES:
        if 304 not in route.success:
            continue
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        assert set(responses["200"]["headers"]) == {"Cache-Control", "ETag"}
        assert "content" not in responses["304"]
