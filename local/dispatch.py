"""Turn one HTTP request into what API Gateway would do: match, authorize, invoke the route's handler.

Shared by the local HTTP gateway and the in-process tests, so a test that calls ``dispatch`` goes through
the same authorizer and the same handler code as a request to ``make run`` (and as API Gateway on AWS).
"""

from __future__ import annotations

import base64
import importlib
import json
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local.apigw import FakeLambdaContext, method_arn, policy_allows, rest_event, token_authorizer_event
from oshi.kernel.errors import GATEWAY_RESPONSES, DomainError, MethodNotAllowed
from oshi.web.routes import AUTHORIZER_HANDLER, match


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


def _error(error: DomainError) -> HttpResponse:
    return HttpResponse(error.status, {"Content-Type": "application/json"}, json.dumps(error.body()).encode())


def gateway_error(response_type: str) -> HttpResponse:
    return _error(GATEWAY_RESPONSES[response_type]())


def _lambda_result(result: dict[str, Any]) -> HttpResponse:
    headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(str(v) for v in values)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return HttpResponse(int(result.get("statusCode", 200)), headers, raw)


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def dispatch(
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source_ip: str = "127.0.0.1",
    handler_module: ModuleType | None = None,
) -> HttpResponse:
    """Handle one request. ``target`` is the path with an optional query string. ``handler_module``: the
    instance of the route's function to invoke (the local gateway's pool); by default the imported one."""
    headers = headers or {}
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    route, path_parameters, path_exists = match(method, path)
    if route is None:
        return _error(MethodNotAllowed()) if path_exists else gateway_error("MISSING_AUTHENTICATION_TOKEN")

    authorizer_context = None
    if not route.is_public:
        authorization = _header(headers, "Authorization")
        if not authorization:
            return gateway_error("UNAUTHORIZED")
        authorizer = importlib.import_module(AUTHORIZER_HANDLER)
        try:
            policy = authorizer.handler(
                token_authorizer_event(authorization, route, path),
                FakeLambdaContext(function_name="authorizer"),
            )
        except Exception as exc:
            if str(exc) == "Unauthorized":
                return gateway_error("UNAUTHORIZED")
            raise
        if not policy_allows(policy, method_arn(route.method, path)):
            return gateway_error("ACCESS_DENIED")
        authorizer_context = {**policy.get("context", {}), "principalId": policy["principalId"]}

    event = rest_event(
        route,
        path=path,
        path_parameters=path_parameters,
        headers=headers,
        query=parse_qs(parts.query, keep_blank_values=True),
        body=body,
        authorizer=authorizer_context,
        source_ip=source_ip,
    )
    module = handler_module or importlib.import_module(route.handler)
    result = module.handler(event, FakeLambdaContext(function_name=route.function_id))
    return _lambda_result(result)
