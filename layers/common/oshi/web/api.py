"""How an HTTP handler module is built: one route, one handler function, one error mapping.

A handler module looks like this::

    from typing import Annotated

    from oshi.web.api import Endpoint, Response     # Response: a status, headers and a body
    from oshi.web.params import Query              # also Path, Header, Body

    endpoint = Endpoint(__name__)          # finds its route in oshi.web.routes by module name

    @endpoint
    def get_items(limit: Annotated[int, Query(ge=1, le=50)] = 20) -> Response[ItemsOut]:
        caller = endpoint.caller()          # set by the authorizer; role checks already done
        ...

    handler = endpoint.lambda_handler

A Lambda serves one route, so the ``Endpoint`` calls its handler itself (``oshi.web.binding``: arguments
validated with pydantic, return value dumped by its annotation) and never imports Powertools'
``event_handler`` package, whose import (every resolver) was a third of a handler's cold start. The
markers (``oshi.web.params``) and ``Response`` (``oshi.web.response``) are ours for the same reason;
``oshi.web.powertools`` translates them into Powertools' when the OpenAPI document is generated, which
documents the 2xx body from the return annotation (a pydantic model, or ``Response[Model]``). A handler
that sends pre-serialised bytes (the cached catalogue pages) declares the model instead:
``Endpoint(__name__, response_model=GachaPage)``. A read route builds its body in JSON form itself and
names its model by reference, ``Endpoint(__name__, response_model="gacha.schemas:OrderOut")``, so that its
cold start imports no pydantic (``oshi.web.shapes``: tests check every such answer against the model). The request being served is ``endpoint.request`` (per
thread: the local gateway serves requests side by side).

Everything a caller can notice about errors is decided here: domain errors become their status and
code, invalid JSON is 400 ``INVALID_JSON``, validation failures are 422 ``VALIDATION_FAILED`` with the
fields, anything unexpected is a logged 500 ``INTERNAL_ERROR`` that leaks nothing.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.json_encoder import Encoder
from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.identity import revocation
from oshi.identity.principal import Caller
from oshi.kernel import snapstart
from oshi.kernel.errors import (
    DomainError,
    InvalidJson,
    PayloadTooLarge,
    RouteNotFound,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    error_body,
)
from oshi.kernel.observability import logger, metrics, tracer
from oshi.web import access, shapes
from oshi.web.binding import Binding, Request, RequestValidationError, UnsupportedContentType
from oshi.web.response import Response
from oshi.web.routes import Route, route_for_handler

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from pydantic import BaseModel

    from oshi.kernel.txn import ConditionsFailed, Txn

F = TypeVar("F", bound=Callable[..., Any])

MAX_BODY_BYTES = 64 * 1024  # JSON bodies only; files go straight to S3 through presigned POSTs
JSON_CONTENT_TYPES = ("application/json", "application/problem+json")
__all__ = ["Endpoint", "Response"]


def _serialise(body: Any) -> str:
    # Powertools' serializer, so bodies keep their bytes (compact, ASCII-escaped)
    return json.dumps(body, separators=(",", ":"), cls=Encoder)


def proxy_response(response: Response[Any]) -> dict[str, Any]:
    """The REST proxy result of a response, as Powertools' REST resolver builds it (multi-value headers)."""
    body = response.body
    if response.is_json() and not isinstance(body, str):
        body = _serialise(body)
    encoded = isinstance(body, bytes)
    if encoded:
        body = base64.b64encode(body).decode()  # type: ignore[arg-type]
    headers: dict[str, list[str]] = {}
    for key, values in response.headers.items():
        if values is None:
            continue
        headers.setdefault(key, []).extend([values] if isinstance(values, str) else values)
    if response.cookies:
        headers.setdefault("Set-Cookie", []).extend(str(cookie) for cookie in response.cookies)
    return {
        "statusCode": response.status_code,
        "body": body,
        "isBase64Encoded": encoded,
        "multiValueHeaders": headers,
    }


def error_response(error: DomainError) -> Response:
    return Response(
        status_code=error.status,
        content_type="application/json",
        body=error.body(),
        headers=error.headers or None,
    )


def proxy_result(error: DomainError) -> dict[str, Any]:
    """The Lambda proxy response for an error raised outside the resolver."""
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": "application/json", **error.headers},
        "body": json.dumps(error.body(), separators=(",", ":")),
        "isBase64Encoded": False,
    }


def _require_utf8(body: str, *, base64_encoded: bool) -> None:
    """JSON is UTF-8 (RFC 8259); other bytes are the client's error (400), not a crash in the parser."""
    try:
        (base64.b64decode(body, validate=True) if base64_encoded else body.encode()).decode("utf-8")
    except (ValueError, UnicodeError):
        raise InvalidJson("The request body is not UTF-8 encoded JSON.") from None


def _limit(route: Route) -> Any:
    from oshi.web import ratelimit  # imports a model (PynamoDB): only routes with a caller limit pay for it

    assert route.caller_limit is not None
    return ratelimit.Limit(route.handler, route.caller_limit.max_hits, route.caller_limit.window_seconds)


def _rate_limit(route: Route, subject: str) -> None:
    from oshi.web import ratelimit

    ratelimit.hit(_limit(route), subject)


def _subject(event: dict[str, Any]) -> str:
    request_context = event.get("requestContext") or {}
    caller = Caller.from_context(request_context.get("authorizer"))
    return (
        caller.user_id if caller else (request_context.get("identity") or {}).get("sourceIp")
    ) or "unknown"


def _validation_details(exc: RequestValidationError) -> list[dict[str, str]]:
    details = []
    for err in exc.errors():
        location = [
            str(part) for part in err.get("loc", ()) if part != "body" or len(err.get("loc", ())) == 1
        ]
        details.append(
            {"field": ".".join(location) or "body", "message": str(err.get("msg")), "type": err["type"]}
        )
    return details


class Endpoint:
    def __init__(
        self,
        module_name: str,
        *,
        response_model: type[BaseModel] | str | None = None,
        body_model: str | None = None,
    ) -> None:
        self.route: Route = route_for_handler(module_name)
        # documents the body when the handler returns bytes or a JsonObject ("module:Model": not imported)
        self.response_model = response_model
        # the request body's model, "module:Model", imported by the handler for the type checker only
        # (oshi.web.light_bodies checks a body without it)
        self.body_model = body_model
        self.fn: Callable[..., Any] | None = None
        self.binding: Binding | None = None
        self._invocation = threading.local()  # per request: its event, and was the limit counted?
        self.lambda_handler = self._build_lambda_handler()

    def __call__(self, fn: F) -> F:
        if self.fn is not None:
            raise TypeError(f"{self.route.handler}: one route, one handler function")
        self.fn = fn
        # built on first request (or priming)
        self.binding = Binding(fn, self.route.powertools_path, self.body_model)
        snapstart.register(f"endpoint:{self.route.handler}", self.binding.build)
        return fn

    def resolver(self) -> APIGatewayRestResolver:
        """This route as a Powertools resolver: only to generate the OpenAPI document (oshi.web.openapi)."""
        from oshi.web.powertools import resolver  # imports Powertools' event_handler: never at run time

        return resolver(self)

    # --- what handlers ask ---------------------------------------------------------------------
    @property
    def request(self) -> Request:
        """The request this thread is serving (each invocation sets its own)."""
        try:
            request: Request = self._invocation.request
        except AttributeError:
            raise RuntimeError("no request is being served on this thread") from None
        return request

    def caller(self) -> Caller:
        caller = self.optional_caller()
        if caller is None:
            raise Unauthorized()
        return caller

    def optional_caller(self) -> Caller | None:
        request_context = self.request.raw_event.get("requestContext") or {}
        return Caller.from_context(request_context.get("authorizer"))

    def header(self, name: str) -> str | None:
        value: str | None = self.request.headers.get(name)
        return value

    def count_in(self, txn: Txn) -> None:
        """Count this request against the route's ``in_transaction`` caller limit inside ``txn`` (counted
        once it commits). Over the limit the commit fails: ``refuse_if_limited`` turns that into the 429."""
        from oshi.web import ratelimit

        ratelimit.add_hit(txn, _limit(self.route), self._invocation.subject)
        self._invocation.txns.append(txn)

    def refuse_if_limited(self, failed: ConditionsFailed) -> None:
        from oshi.web import ratelimit

        if ratelimit.LABEL in failed.labels:
            self._invocation.counted = True  # a refused request does not count
            raise ratelimit.refusal(_limit(self.route)) from None

    @property
    def _limit_in_transaction(self) -> bool:
        return self.route.caller_limit is not None and self.route.caller_limit.in_transaction

    def _count_after(self, event: dict[str, Any]) -> DomainError | None:
        """A request of an ``in_transaction`` route that committed no count: counted now (or refused)."""
        if not self._limit_in_transaction or self._invocation.counted:
            return None
        if any(txn.committed for txn in self._invocation.txns):
            return None
        try:
            _rate_limit(self.route, _subject(event))
        except TooManyRequests as refused:
            return refused
        return None

    @property
    def request_id(self) -> str:
        return str((self.request.raw_event.get("requestContext") or {}).get("requestId", ""))

    # --- plumbing --------------------------------------------------------------------------------
    def _check_request(self, event: dict[str, Any]) -> None:
        """Refusals decided before any parsing, so an unauthorised caller learns nothing about the body."""
        request_context = event.get("requestContext") or {}
        caller = Caller.from_context(request_context.get("authorizer"))
        access.require(self.route, caller)
        if caller is not None and revocation.is_revoked(caller):
            # A policy API Gateway cached before the revocation still reaches us: refuse it here.
            raise Unauthorized()
        if self.route.caller_limit is not None and not self._limit_in_transaction:
            _rate_limit(self.route, _subject(event))
        body = event.get("body")
        if body:
            if len(body) > MAX_BODY_BYTES:
                raise PayloadTooLarge(details={"max_bytes": MAX_BODY_BYTES})
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            content_type = (headers.get("content-type") or "application/json").split(";")[0].strip().lower()
            if self._accepts_raw_body():
                return
            if content_type not in JSON_CONTENT_TYPES:
                raise UnsupportedMediaType()
            _require_utf8(body, base64_encoded=bool(event.get("isBase64Encoded")))

    def _accepts_raw_body(self) -> bool:
        # Webhook endpoints read the raw bytes themselves (signature checks) whatever the content type.
        return "webhook" in self.route.tags

    def dispatch(self, event: dict[str, Any]) -> dict[str, Any]:
        """The route's answer to a request that passed the checks: its handler called with the validated
        arguments, or the error response (as Powertools' resolver with our exception handlers answered)."""
        try:
            response = self._call(event)
        except Exception as exc:  # noqa: BLE001 - every error becomes its response, as before
            response = self._on_error(exc)
        return proxy_response(response)

    def _call(self, event: dict[str, Any]) -> Response[Any]:
        binding = self.binding
        assert binding is not None and self.fn is not None, f"{self.route.handler}: no @endpoint handler"
        path_args = binding.match(
            str(event.get("httpMethod") or ""), self.route.method, str(event.get("path") or "")
        )
        if path_args is None:
            return error_response(RouteNotFound())
        arguments = binding.arguments(self.request, path_args)
        response = binding.response(self.fn(**arguments))
        answered = response.status_code in {200, *self.route.success} - {304}
        if isinstance(self.response_model, str) and answered and shapes.checking():
            shapes.check(self.response_model, response.body)
        return response

    def _on_error(self, exc: Exception) -> Response[Any]:
        if isinstance(exc, DomainError):
            logger.info("request refused", extra={"code": exc.code, "status": exc.status})
            return error_response(exc)
        if isinstance(exc, RequestValidationError):
            details = _validation_details(exc)
            if any(d["type"] == "json_invalid" for d in details):
                return error_response(InvalidJson())
            return error_response(ValidationFailed(details=details))
        if isinstance(exc, UnsupportedContentType):
            # An empty body sent as text/plain (a browser's fetch with body "") to a route with an
            # optional JSON body: a 415, not a crash.
            return error_response(UnsupportedMediaType())
        # Logged with its stack trace and counted; the caller learns only the request id.
        logger.exception("unhandled error")
        metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
        return Response(
            status_code=500,
            content_type="application/json",
            body=error_body(
                "INTERNAL_ERROR", "Something went wrong on our side.", {"request_id": self.request_id}
            ),
        )

    def _build_lambda_handler(self) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
        @logger.inject_lambda_context(
            correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
        )
        @tracer.capture_lambda_handler(capture_response=False)
        @metrics.log_metrics(capture_cold_start_metric=True)
        def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            self._invocation.request = Request(event)
            self._invocation.counted, self._invocation.txns = False, []
            self._invocation.subject = _subject(event)
            try:
                self._check_request(event)
            except DomainError as refused:
                logger.info("request refused", extra={"code": refused.code, "status": refused.status})
                if refused.status in (401, 403):  # refused before the limit, as on the other routes
                    return proxy_result(refused)
                return proxy_result(self._count_after(event) or refused)
            result = self.dispatch(event)
            limited = self._count_after(event)
            return proxy_result(limited) if limited is not None else result

        return handler
