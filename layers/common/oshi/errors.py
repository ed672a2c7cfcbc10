"""The error model: every failure a caller can see is a DomainError with an HTTP status and a code.

Services raise these; ``oshi.api`` maps them to responses in one place. The body is always
``{"error": {"code": "...", "message": "...", "details": [...]}}`` (``details`` optional).
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"
    default_message: ClassVar[str] = "The request cannot be processed."

    def __init__(
        self, message: str | None = None, *, details: Any = None, headers: dict[str, str] | None = None
    ):
        self.message = message or self.default_message
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


class BadRequest(DomainError):
    status = 400
    code = "BAD_REQUEST"


class InvalidJson(DomainError):
    status = 400
    code = "INVALID_JSON"
    default_message = "The request body is not valid JSON."


class ValidationFailed(DomainError):
    status = 422
    code = "VALIDATION_FAILED"
    default_message = "Some fields are missing or invalid."


class Unauthorized(DomainError):
    status = 401
    code = "UNAUTHORIZED"
    default_message = "Sign in to continue."


class Forbidden(DomainError):
    status = 403
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."


class MfaRequired(Forbidden):
    code = "MFA_REQUIRED"
    default_message = "This action needs a session signed in with multi-factor authentication."


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    default_message = "Not found."


class RouteNotFound(NotFound):
    code = "ROUTE_NOT_FOUND"
    default_message = "No such endpoint."


class MethodNotAllowed(DomainError):
    status = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "This endpoint does not accept that method."


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"
    default_message = "The request conflicts with the current state."


class PayloadTooLarge(DomainError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is too large."


class UnsupportedMediaType(DomainError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Send the body as application/json."


class TooManyRequests(DomainError):
    status = 429
    code = "RATE_LIMITED"
    default_message = "Too many requests; retry later."


class ServiceUnavailable(DomainError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "The service is temporarily unavailable; retry later."


class EventPublishFailed(Exception):
    """EventBridge refused some entries (FailedEntryCount > 0). Retried by whoever called the publisher."""


# API Gateway answers some requests itself, before any handler runs. The CDK stack sets these gateway
# responses to our error body, and the local gateway answers the same way.
GATEWAY_RESPONSES: dict[str, type[DomainError]] = {
    "UNAUTHORIZED": Unauthorized,  # authorizer said "Unauthorized" or no token
    "ACCESS_DENIED": Forbidden,  # authorizer policy does not cover the route
    "MISSING_AUTHENTICATION_TOKEN": RouteNotFound,  # API Gateway's answer to an unknown path
    "REQUEST_TOO_LARGE": PayloadTooLarge,
    "THROTTLED": TooManyRequests,
}
