"""The OpenAPI document, generated from the route table and each handler's pydantic models."""

from __future__ import annotations

import importlib
import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from oshi.web.routes import ROUTES

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable, e.g. VALIDATION_FAILED"},
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}


def build_document() -> dict[str, Any]:
    merge = OpenAPIMerge(title="Oshi gacha API", version="1.0.0", openapi_version="3.1.0")
    for route in ROUTES:
        module = importlib.import_module(route.handler)
        merge.add_schema(module.endpoint.app.get_openapi_schema())
    # A JSON round trip turns Powertools' integer status keys into the strings OpenAPI uses.
    document: dict[str, Any] = json.loads(json.dumps(merge.get_openapi_schema(), default=str))
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        responses = operation.setdefault("responses", {})
        documented_ok = responses.pop("200", {"description": "Success"})
        if 304 in route.success:
            # Cached JSON (oshi.catalogue.storefront): the handler returns pre-serialised bytes for its ETag, so
            # Powertools sees a string; the body is a JSON object.
            documented_ok = {
                "description": "Success (JSON object; Cache-Control and ETag set)",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        for code in route.success:
            responses[str(code)] = (
                {"description": "Not modified: the ETag in If-None-Match still matches"}
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
    return document
