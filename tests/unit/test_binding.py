"""The Endpoint's own dispatch (oshi.web.binding) answers exactly as Powertools' REST resolver did.

The reference is the resolver the Endpoint used before (``APIGatewayRestResolver(enable_validation=True)``
with the same exception handlers, rebuilt here from ``oshi.web.powertools``): for every route, the
parameters are classified alike (path, query, header, body; alias; required; default), and requests
that are malformed in every way we could think of get the same status, headers and body bytes. The
handler is replaced by a stub (both sides call it with the validated arguments, which must match too), so
no request reaches a table. Return values (models with aliases, None fields, datetimes, non-ASCII text;
``Response`` with headers, cookies, a str body, an empty 304; a dict) are compared on a test route.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError as PowertoolsValidationError,
)
from aws_lambda_powertools.shared.cookies import Cookie
from pydantic import BaseModel, ConfigDict, Field

from oshi.kernel.errors import (
    DomainError,
    InvalidJson,
    RouteNotFound,
    UnsupportedMediaType,
    ValidationFailed,
    error_body,
)
from oshi.web import api, binding, powertools
from oshi.web.api import Endpoint, Response
from oshi.web.light_bodies import CheckedBody
from oshi.web.params import Header, Query
from oshi.web.routes import ROUTES, Route


class Reached(Exception):
    pass


def _powertools_response(response: Response[Any]) -> PowertoolsResponse[Any]:
    return PowertoolsResponse(
        status_code=response.status_code, body=response.body, headers=response.headers or None
    )


def reference_resolver(endpoint: Endpoint) -> APIGatewayRestResolver:
    """The resolver and the exception handlers ``Endpoint`` had before it dispatched by itself."""
    app = powertools.resolver(endpoint)

    def error_response(error: DomainError) -> PowertoolsResponse[Any]:
        return _powertools_response(api.error_response(error))

    @app.exception_handler(DomainError)
    def on_domain_error(exc: DomainError) -> PowertoolsResponse[Any]:
        return error_response(exc)

    @app.exception_handler(PowertoolsValidationError)
    def on_validation_error(exc: PowertoolsValidationError) -> PowertoolsResponse[Any]:
        details = api._validation_details(exc)  # type: ignore[arg-type]
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(InvalidJson())
        return error_response(ValidationFailed(details=details))

    @app.exception_handler(RequestUnsupportedContentType)
    def on_unsupported(_: Exception) -> PowertoolsResponse[Any]:
        return error_response(UnsupportedMediaType())

    @app.not_found
    def on_not_found(_: Exception) -> PowertoolsResponse[Any]:
        return error_response(RouteNotFound())

    @app.exception_handler(Exception)
    def on_unexpected(exc: Exception) -> PowertoolsResponse[Any]:
        return PowertoolsResponse(
            status_code=500,
            content_type="application/json",
            body=error_body("INTERNAL_ERROR", "Something went wrong on our side.", {"request_id": "r-1"}),
        )

    return app


def stubbed(endpoint: Endpoint, calls: list[dict[str, Any]]) -> None:
    """The handler replaced by one with the same signature that records its arguments and raises."""
    original = endpoint.fn
    assert original is not None

    @functools.wraps(original)
    def stub(**kwargs: Any) -> Any:
        calls.append(kwargs)
        raise Reached()

    endpoint.fn = stub
    endpoint.binding = binding.Binding(stub, endpoint.route.powertools_path, endpoint.body_model)


def event(
    route: Route,
    *,
    path: str | None = None,
    method: str | None = None,
    query: dict[str, str] | None = None,
    multi_query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    multi_headers: dict[str, list[str]] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    concrete = path or route.path.replace("{", "").replace("}", "")
    return {
        "resource": route.path,
        "path": concrete,
        "httpMethod": method or route.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": None,
        "requestContext": {"requestId": "r-1", "httpMethod": route.method, "resourcePath": route.path},
        "body": body,
        "isBase64Encoded": False,
    }


def both(endpoint: Endpoint, request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    ours_calls: list[dict[str, Any]] = []
    theirs_calls: list[dict[str, Any]] = []
    original_fn, original_binding = endpoint.fn, endpoint.binding
    try:
        stubbed(endpoint, theirs_calls)
        theirs = reference_resolver(endpoint).resolve(json.loads(json.dumps(request)), {})  # type: ignore[arg-type]
        stubbed(endpoint, ours_calls)
        endpoint._invocation.request = binding.Request(request)
        ours = endpoint.dispatch(request)
    finally:
        endpoint.fn, endpoint.binding = original_fn, original_binding
    assert [_fields(call) for call in ours_calls] == [_fields(call) for call in theirs_calls]
    return ours, theirs


def _fields(call: dict[str, Any]) -> dict[str, Any]:
    """A body the light check accepted (``CheckedBody``) holds what the model instance holds: compared
    field by field, with their Python types."""

    def plain(value: Any) -> Any:
        if isinstance(value, BaseModel):
            value = dict(value)
        elif isinstance(value, CheckedBody):
            value = vars(value)
        return {k: (type(v), v) for k, v in value.items()} if isinstance(value, dict) else value

    return {name: plain(value) for name, value in call.items()}


def _malformed(route: Route, endpoint: Endpoint) -> list[dict[str, Any]]:
    assert endpoint.binding is not None
    parameters = endpoint.binding.parameters
    requests = [event(route), event(route, method="PATCH"), event(route, path=route.path + "/extra")]
    for parameter in parameters:
        if parameter.location == "query":
            for value in ("", "abc", "-1", "0", "1,2", "x" * 1100, "2026-13-01", "pending", "日本"):
                requests.append(event(route, query={parameter.alias: value}))
            requests.append(event(route, multi_query={parameter.alias: ["1", "2"]}))
            requests.append(event(route, query={parameter.alias: "3"}, multi_query={parameter.alias: ["3"]}))
        elif parameter.location == "header":
            requests.append(event(route, headers={parameter.alias.title(): "k-1"}))
            requests.append(event(route, multi_headers={parameter.alias: ["a", "b"]}))
            requests.append(event(route, headers={parameter.alias: "x"}, multi_headers={"other": ["y"]}))
        elif parameter.location == "path":
            concrete = route.path
            for name in (p.name for p in parameters if p.location == "path"):
                concrete = concrete.replace("{" + name + "}", "NOT-an-id" if name == parameter.name else "x")
            requests.append(event(route, path=concrete))
        elif parameter.location == "body":
            json_type = {"Content-Type": "application/json"}
            for body in (None, "", "not json", '{"a":', "[]", "[1]", '[{"x": 1}]', "{}", "null", "1", '"s"'):
                requests.append(event(route, body=body, headers=json_type))
            requests.append(
                event(route, body='{"zz": 1}', headers={"content-type": "application/problem+json"})
            )
            requests.append(event(route, body='{"zz": 1}', headers={"Content-Type": "APPLICATION/JSON"}))
            for content_type in (
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=b",
            ):
                requests.append(event(route, body="", headers={"Content-Type": content_type}))
            requests.append(event(route, body=json.dumps({k: 123 for k in ("a", "b")}), headers={}))
    return requests


ROUTE_HANDLERS = [route.handler for route in ROUTES]


@pytest.mark.parametrize("handler", ROUTE_HANDLERS)
def test_parameters_are_classified_as_powertools_does(handler: str) -> None:
    endpoint: Endpoint = importlib.import_module(handler).endpoint
    assert endpoint.binding is not None
    app = reference_resolver(endpoint)
    (route,) = app._static_routes + app._dynamic_routes
    dependant = route.dependant
    theirs = {}
    for location, fields in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
        ("body", dependant.body_params),
    ):
        for field in fields:
            default = None if field.required else field.get_default()
            theirs[field.name] = (location, field.alias, field.required, default)
    assert not dependant.cookie_params
    ours = {
        p.name: (p.location, p.alias, p.required, None if p.required else p.default)
        for p in endpoint.binding.parameters
    }
    assert ours == theirs


@pytest.mark.parametrize("handler", ROUTE_HANDLERS)
def test_malformed_requests_get_the_same_answer(handler: str) -> None:
    module = importlib.import_module(handler)
    endpoint: Endpoint = module.endpoint
    route = endpoint.route
    for request in _malformed(route, endpoint):
        ours, theirs = both(endpoint, request)
        assert ours == theirs, request


# --- return values ---------------------------------------------------------------------------------
class Inner(BaseModel):
    at: datetime
    amount: Decimal
    note: str | None = None


class Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    display_name: str = Field(alias="displayName")
    items: list[Inner]
    missing: int | None = None
    tags: frozenset[str] = frozenset()


OUT = Out(
    display_name='推しガチャ \u2028 "quoted"',
    items=[Inner(at=datetime(2026, 12, 4, 9, 30, 1, 123456, tzinfo=UTC), amount=Decimal("1.50"))],
)


def _as_powertools(value: Any) -> Any:
    if not isinstance(value, Response):
        return value
    return PowertoolsResponse(value.status_code, None, value.body, value.headers, value.cookies or None)


def _returning(result: Callable[[], Any], annotation: Any, *, reference: bool = False) -> Endpoint:
    endpoint = Endpoint("system.health")  # a route with no parameters; the function is ours

    def get_health(
        cursor: Annotated[str | None, Query(max_length=8)] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Any:
        return _as_powertools(result()) if reference else result()

    get_health.__annotations__["return"] = annotation
    endpoint(get_health)
    return endpoint


RESULTS: list[tuple[Callable[[], Any], Any]] = [
    (lambda: OUT, Out),
    (
        lambda: Response(
            201, "application/json", OUT, headers={"Cache-Control": "no-store", "X-Many": ["a", "b"]}
        ),
        Response[Out],
    ),
    (
        lambda: Response(
            200, "application/json", OUT, cookies=[Cookie("c", "v", path="/api", http_only=True)]
        ),
        Response[Out],
    ),
    (
        lambda: Response(200, "application/json", '{"pre":"serialised"}', headers={"ETag": '"t"'}),
        Response[str],
    ),
    (lambda: Response(304, headers={"ETag": '"t"'}, body=""), Response[str]),
    (lambda: {"ok": True, "when": datetime(2026, 1, 1, tzinfo=UTC), "日本": "語"}, dict[str, Any]),
    (lambda: {"displayName": "x", "items": []}, Out),
    (lambda: {"items": "not a list"}, Out),  # an invalid return value: the 422 both answered
    (lambda: Response(200, "application/json", b"\x00bytes"), Response[bytes]),
]


@pytest.mark.parametrize(("result", "annotation"), RESULTS)
def test_return_values_are_serialised_as_powertools_did(result: Any, annotation: Any) -> None:
    route = next(r for r in ROUTES if r.handler == "system.health")
    for request in (event(route), event(route, query={"cursor": "abc"}, headers={"Idempotency-Key": "k"})):
        ours_endpoint = _returning(result, annotation)
        theirs = reference_resolver(_returning(result, annotation, reference=True)).resolve(request, {})  # type: ignore[arg-type]
        ours_endpoint._invocation.request = binding.Request(request)
        ours = ours_endpoint.dispatch(request)
        assert ours == theirs


# --- import cost ---------------------------------------------------------------------------------
PROBE = r"""
import importlib, json, sys
from oshi.kernel import snapstart
from oshi.web.routes import ROUTES
for route in ROUTES:
    importlib.import_module(route.handler)
heavy = sorted(m for m in sys.modules if m.startswith("aws_lambda_powertools.event_handler"))
endpoint = sys.modules["gacha.detail"].endpoint
before = "parameters" in endpoint.binding.__dict__
done = snapstart.prime()
print(json.dumps({"heavy": heavy, "before": before, "after": "parameters" in endpoint.binding.__dict__,
                  "primed": "endpoint:gacha.detail" in done}))
"""


def test_no_handler_imports_powertools_event_handler_and_priming_builds_the_validators() -> None:
    """The point of the own dispatch (docs/performance.md §1): importing every handler module loads none
    of Powertools' ``event_handler`` package; SnapStart's priming builds each route's validators."""
    import subprocess
    import sys

    from local.runner import ROOT

    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"heavy": [], "before": False, "after": True, "primed": True}
