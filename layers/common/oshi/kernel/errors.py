"""The error model: every failure a caller can see is a DomainError with an HTTP status and a code.

Services raise these; ``oshi.web.api`` maps them to responses in one place. The body is always
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


class CsrfRejected(Forbidden):
    code = "CSRF_REJECTED"
    default_message = "A request that uses the session cookie must come from this site (X-Oshi-Client: web and a matching Origin)."


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


# --- auth (oshi.identity.users, oshi.identity.sessions, oshi.identity.refresh_tokens) ---------------------------------------------
class InvalidCredentials(Unauthorized):
    """Unknown email, wrong password, wrong MFA step or a locked account: one answer, so nothing leaks."""

    code = "INVALID_CREDENTIALS"
    default_message = (
        "The email or password is incorrect, or the account is temporarily locked after too many "
        "attempts. Check them, or try again later."
    )


class InvalidRefreshToken(Unauthorized):
    code = "INVALID_REFRESH_TOKEN"
    default_message = "This session has ended; sign in again."


class RefreshTokenReused(InvalidRefreshToken):
    code = "REFRESH_TOKEN_REUSED"
    default_message = "This refresh token was already used; every session it belonged to is now signed out."


class InvalidMfaChallenge(Unauthorized):
    code = "INVALID_MFA_CHALLENGE"
    default_message = "The sign-in step expired or is invalid; sign in again."


class MfaCodeInvalid(Unauthorized):
    code = "MFA_CODE_INVALID"
    default_message = "The authentication code is wrong, expired or already used."


class MfaNotSetUp(Conflict):
    code = "MFA_NOT_SET_UP"
    default_message = "Start multi-factor set-up first."


class MfaAlreadyEnabled(Conflict):
    code = "MFA_ALREADY_ENABLED"
    default_message = "Multi-factor authentication is already on for this account."


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"
    default_message = "An account with this email already exists."


class PasswordPolicy(DomainError):
    status = 422
    code = "PASSWORD_POLICY"
    default_message = "The password does not meet the policy."


class PasswordTooLong(PasswordPolicy):
    code = "PASSWORD_TOO_LONG"
    default_message = "The password is longer than 72 bytes (UTF-8); choose a shorter one."


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    default_message = "No such user."


# --- account flows (issue 18: oshi.identity.account_tokens, oshi.identity.accounts) -------------------
class EmailNotVerified(Forbidden):
    code = "EMAIL_NOT_VERIFIED"
    default_message = (
        "Verify your email address before buying: follow the link we sent you, or ask for a new one."
    )


class LinkTokenInvalid(DomainError):
    """Unknown, tampered, expired or already-used link token: one answer, nothing changes."""

    status = 400
    code = "LINK_TOKEN_INVALID"
    default_message = "This link is invalid, expired or already used; ask for a new one."


class PasswordIncorrect(DomainError):
    status = 403
    code = "PASSWORD_INCORRECT"
    default_message = "The current password is incorrect."


class MfaNotEnabled(Conflict):
    code = "MFA_NOT_ENABLED"
    default_message = "Multi-factor authentication is not on for this account."


class SessionNotFound(NotFound):
    code = "SESSION_NOT_FOUND"
    default_message = "No such session."


class DeletionBlocked(Conflict):
    code = "DELETION_BLOCKED"
    default_message = "The account cannot be deleted while one of its gachas is on sale."


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


# --- VTubers, uploads, gachas and the catalogue (oshi.catalogue.vtubers, oshi.catalogue.uploads, oshi.catalogue.lineup, oshi.catalogue.storefront) ---
class VtuberNotApproved(Forbidden):
    code = "VTUBER_NOT_APPROVED"
    default_message = "Only VTubers approved by screening can do this."


class PreviewNotFound(NotFound):
    code = "PREVIEW_NOT_FOUND"
    default_message = "This prize has no preview."


class VtuberNotFound(NotFound):
    code = "VTUBER_NOT_FOUND"
    default_message = "No such VTuber."


class VtuberAlreadyApplied(Conflict):
    code = "VTUBER_ALREADY_APPLIED"
    default_message = "You have already applied; an admin will review your application."


class VtuberStatusConflict(Conflict):
    code = "VTUBER_STATUS_CONFLICT"
    default_message = "This decision does not apply to the VTuber's current status."


class StorageQuotaExceeded(Conflict):
    code = "STORAGE_QUOTA_EXCEEDED"
    default_message = "This upload would exceed your storage quota; delete unused files or upload less."


class GachaNotFound(NotFound):
    code = "GACHA_NOT_FOUND"
    default_message = "No such gacha."


class GachaInvalid(DomainError):
    status = 422
    code = "GACHA_INVALID"
    default_message = "The gacha breaks one or more rules; see details."


class GachaFrozen(Conflict):
    code = "GACHA_FROZEN"
    default_message = "The sale window has opened: the lineup and rates can no longer change."


class GachaEditConflict(Conflict):
    code = "GACHA_EDIT_CONFLICT"
    default_message = "The gacha changed since you loaded it; reload and try again."


class InvalidCursor(BadRequest):
    code = "INVALID_CURSOR"
    default_message = "The page cursor is invalid or expired; start from the first page."


class PlatformStorageFull(ServiceUnavailable):
    code = "PLATFORM_STORAGE_FULL"
    default_message = "Uploads are paused: the platform's storage is full. The operators have been alerted."


# --- purchase and payment (issue 5: oshi.commerce.orders, oshi.commerce.spending, oshi.commerce.payments) ---------------------------
class GachaNotOnSale(Conflict):
    code = "GACHA_NOT_ON_SALE"
    default_message = "This gacha is not on sale right now."


class SoldOut(Conflict):
    code = "SOLD_OUT"
    default_message = "Sold out: not enough draws are left. Nothing was charged."


class NotEnoughTickets(Conflict):
    code = "NOT_ENOUGH_TICKETS"
    default_message = (
        "Fewer tickets are left in this box than this purchase draws; buy single draws instead "
        "(details.remaining). Nothing was charged."
    )


class CampaignOverlap(Conflict):
    code = "CAMPAIGN_OVERLAP"
    default_message = "This campaign overlaps another of the same kind on the same gacha (details.overlaps)."


class CampaignNotFound(NotFound):
    code = "CAMPAIGN_NOT_FOUND"
    default_message = "No such campaign of yours."


class CampaignFrozen(Conflict):
    code = "CAMPAIGN_FROZEN"
    default_message = (
        "A campaign can be cancelled until 10 minutes before it starts; after that it is frozen."
    )


class FirstTenUsed(Conflict):
    code = "FIRST_TEN_USED"
    default_message = (
        "Your first 10-draw discount on this gacha was already used; the price is the usual one."
    )


class BoxNotRevealed(Conflict):
    code = "BOX_NOT_REVEALED"
    default_message = "The box's seed is revealed once every ticket is drawn or the sale has ended."


class SpendingCapExceeded(DomainError):
    status = 403
    code = "SPENDING_CAP_EXCEEDED"
    default_message = "This purchase would exceed your monthly spending limit; see the remaining allowance."


class OrderPending(Conflict):
    code = "ORDER_PENDING"
    default_message = "You already have a purchase of this gacha awaiting payment; finish or cancel it first."


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"
    default_message = "No such order."


class PaymentMethodUnsupported(DomainError):
    status = 422
    code = "PAYMENT_METHOD_UNSUPPORTED"
    default_message = "This provider does not offer that payment method."


class PaymentProviderUnavailable(DomainError):
    status = 502
    code = "PAYMENT_PROVIDER_UNAVAILABLE"
    default_message = "The payment provider could not start the checkout; nothing was charged. Retry later."


class WebhookSignatureInvalid(BadRequest):
    code = "WEBHOOK_SIGNATURE_INVALID"
    default_message = "The webhook signature is missing or invalid."


class WebhookInProgress(Conflict):
    code = "WEBHOOK_IN_PROGRESS"
    default_message = "This event is being processed by another delivery; retry later."


# --- reward box, downloads, medals and the exchange shop (oshi.rewards.exchange, oshi.rewards.downloads, oshi.web.ratelimit) ---
class RewardNotFound(NotFound):
    """Also the answer for another fan's reward and a revoked one: nothing hints that it exists."""

    code = "REWARD_NOT_FOUND"
    default_message = "No such reward in your reward box."


class ExchangeItemNotFound(NotFound):
    code = "EXCHANGE_ITEM_NOT_FOUND"
    default_message = "No such exchange item."


class ExchangeItemInvalid(DomainError):
    status = 422
    code = "EXCHANGE_ITEM_INVALID"
    default_message = "The exchange item breaks one or more rules; see details."


class ExchangeItemFrozen(Conflict):
    code = "EXCHANGE_ITEM_FROZEN"
    default_message = "The item's sale has started (or it was withdrawn): its terms can no longer change."


class InsufficientMedals(Conflict):
    code = "INSUFFICIENT_MEDALS"
    default_message = "You do not have enough medals for this trade."


class ExchangeLimitReached(Conflict):
    code = "EXCHANGE_LIMIT_REACHED"
    default_message = "You have reached this item's exchange limit."


class ExchangeSoldOut(Conflict):
    code = "SOLD_OUT"
    default_message = "This item is sold out."


class ExchangeNotOpen(Conflict):
    code = "EXCHANGE_NOT_OPEN"
    default_message = "This item is not on sale yet."


class ExchangeClosed(Conflict):
    code = "EXCHANGE_CLOSED"
    default_message = "This item is no longer on sale."


class IdempotencyKeyRequired(BadRequest):
    """A missing (where required) or malformed Idempotency-Key, on every route (oshi.kernel.idempotency)."""

    code = "IDEMPOTENCY_KEY_REQUIRED"
    default_message = (
        "Send a valid Idempotency-Key header (1-100 printable ASCII characters), new for each request."
    )


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was already used for a different trade."


class TradeBusy(ServiceUnavailable):
    code = "TRADE_BUSY"
    default_message = "Too many trades at once on this balance; retry with the same Idempotency-Key."


# --- the draw: fulfilment, refunds, fairness (issues 6, 11: oshi.fulfilment.fulfil, oshi.commerce.refunds) ----------------
class OrderNotRefundable(Conflict):
    code = "ORDER_NOT_REFUNDABLE"
    default_message = "This order was never paid, so there is nothing to refund."


class OrderNotRetryable(Conflict):
    code = "ORDER_NOT_RETRYABLE"
    default_message = "Only a paid order that is not fulfilled yet can be redriven."


class RefundFailed(DomainError):
    status = 502
    code = "REFUND_FAILED"
    default_message = "The payment provider refused the refund; nothing was changed."
