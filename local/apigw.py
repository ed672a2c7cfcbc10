"""What API Gateway hands a Lambda: REST proxy events, authorizer events and a Lambda context.

The local gateway builds its events here, and so do the in-process tests, so both exercise handlers with
the same event shape AWS sends (payload format 1.0, with multi-value headers and query strings).
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from oshi.web.routes import Route

ACCOUNT = "123456789012"
API_ID = "localapi"
STAGE = "local"


@dataclass
class FakeLambdaContext:
    function_name: str = "local"
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    function_version: str = "$LATEST"
    _deadline: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:ap-northeast-1:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def method_arn(route_method: str, path: str) -> str:
    return f"arn:aws:execute-api:ap-northeast-1:{ACCOUNT}:{API_ID}/{STAGE}/{route_method}{path}"


def rest_event(
    route: Route,
    *,
    path: str | None = None,
    path_parameters: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    body: bytes | str | None = None,
    authorizer: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
) -> dict[str, Any]:
    headers = dict(headers or {})
    raw = body.encode() if isinstance(body, str) else body
    is_base64 = False
    text_body: str | None = None
    if raw is not None:
        try:
            text_body = raw.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(raw).decode(), True
    query = query or {}
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": API_ID,
        "stage": STAGE,
        "requestId": request_id or str(uuid.uuid4()),
        "resourcePath": route.path,
        "httpMethod": route.method,
        "path": f"/{STAGE}{path or route.path}",
        "requestTimeEpoch": int(time.time() * 1000),
        "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
    }
    if authorizer is not None:
        request_context["authorizer"] = authorizer
    return {
        "resource": route.path,
        "path": path or route.path,
        "httpMethod": route.method,
        "headers": headers or None,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


def token_authorizer_event(authorization: str | None, route: Route, path: str) -> dict[str, Any]:
    return {
        "type": "TOKEN",
        "authorizationToken": authorization or "",
        "methodArn": method_arn(route.method, path),
    }


def policy_allows(policy: dict[str, Any], arn: str) -> bool:
    """Evaluate an authorizer policy the way API Gateway does for one method ARN (explicit deny wins)."""
    import fnmatch

    allowed = False
    for statement in policy.get("policyDocument", {}).get("Statement", []):
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed
