"""The OpenAPI document, generated from the route table and each handler's pydantic models.

Every operation's 2xx body is a named schema (a pydantic response model under ``components/schemas``),
except the payment webhooks' acknowledgements and this document itself; every 4xx is the one ``Error``
schema (``oshi.web.schemas.Error``). ``tests/unit/test_openapi_contract.py`` checks both, and validates the
document against the OpenAPI specification.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from oshi.web.routes import ROUTES
from oshi.web.schemas import Error

COMPONENTS = "#/components/schemas/"
# Powertools' own validation bodies; ours is Error, so these go when nothing else refers to them.
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ResponseValidationError", "ValidationError")
CACHE_HEADERS = {
    "Cache-Control": {"schema": {"type": "string"}, "description": "public, max-age=..."},
    "ETag": {"schema": {"type": "string"}, "description": "Strong; send it back in If-None-Match"},
}


def _handler_documents() -> list[dict[str, Any]]:
    """Each handler's own document, as JSON (Powertools' models dumped in JSON mode: enum values, string
    status codes). Two handlers may share a component only if they define it identically."""
    documents: list[dict[str, Any]] = []
    seen: dict[str, tuple[str, Any]] = {}
    for route in ROUTES:
        module = importlib.import_module(route.handler)
        document = json.loads(module.endpoint.resolver().get_openapi_json_schema())
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            first = seen.setdefault(name, (route.handler, schema))
            if first[1] != schema:
                raise ValueError(
                    f"schema {name!r} differs between {first[0]} and {route.handler}: rename one"
                )
        documents.append(document)
    return documents


def _error_schemas() -> dict[str, Any]:
    schema = Error.model_json_schema(ref_template=COMPONENTS + "{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "Error": schema}


def _is_referenced(document: dict[str, Any], name: str) -> bool:
    return f'"{COMPONENTS}{name}"' in json.dumps(document)


def build_document() -> dict[str, Any]:
    merge = OpenAPIMerge(title="Oshi gacha API", version="1.0.0", openapi_version="3.1.0")
    for handler_document in _handler_documents():
        merge.add_schema(handler_document)
    document: dict[str, Any] = merge.get_openapi_schema()
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, schema in _error_schemas().items():
        if schemas.setdefault(name, schema) != schema:
            raise ValueError(f"a response model is named {name!r}, as the error body is: rename it")
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    error_ref = {"content": {"application/json": {"schema": {"$ref": COMPONENTS + "Error"}}}}
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        responses = operation.setdefault("responses", {})
        documented_ok = responses.pop("200", {"description": "Success"})
        if 304 in route.success:
            # Cached JSON (oshi.catalogue.storefront): the bytes of the model the Endpoint declares.
            documented_ok = {**documented_ok, "description": "Success", "headers": CACHE_HEADERS}
        for code in route.success:
            responses[str(code)] = (
                {
                    "description": "Not modified: the ETag in If-None-Match still matches",
                    "headers": CACHE_HEADERS,
                }
                if code == 304
                else documented_ok
            )
        # Powertools documents its own 422 shape; ours is the common error body.
        responses["422"] = {"description": "Validation failed", **error_ref}
        responses.setdefault("4XX", {"description": "Client error", **error_ref})
        if not route.is_public:
            operation["security"] = [{"bearer": []}]
            responses.setdefault("401", {"description": "Missing or invalid token", **error_ref})
            responses.setdefault("403", {"description": "Not allowed for the caller's roles", **error_ref})
        operation["x-oshi-roles"] = sorted(role.value for role in route.roles) if not route.is_public else []
        operation["x-oshi-mfa"] = route.mfa
    rest = {k: v for k, v in schemas.items() if k not in POWERTOOLS_VALIDATION_SCHEMAS}
    if not any(_is_referenced({**document, "components": rest}, n) for n in POWERTOOLS_VALIDATION_SCHEMAS):
        for name in POWERTOOLS_VALIDATION_SCHEMAS:
            schemas.pop(name, None)
    return document
