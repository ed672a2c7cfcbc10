"""KOMOJU through its REST API (``/api/v1``, HTTP Basic with the secret key), with the standard library.

The layer ships no HTTP library (``requests`` is a dev dependency only), and KOMOJU's API is small, so
``urllib.request`` it is. Hosted sessions carry our order id in ``payment_data.external_order_num``. Webhooks are
``X-Komoju-Signature`` = hex HMAC-SHA256 of the raw body; nothing in them is timestamped, so replay
protection is the provider-event record (``oshi.commerce.webhooks``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from oshi.commerce.payments import credentials
from oshi.commerce.payments.base import Checkout, ProviderUpdate, RefundOutcome, UpdateKind, order_page_url
from oshi.kernel import clock
from oshi.kernel.errors import PaymentProviderUnavailable, WebhookSignatureInvalid
from oshi.kernel.settings import get_settings
from oshi.models.orders import Order

CHECKOUT_SECONDS = 30 * 60
KONBINI_DAYS = 3  # KOMOJU's default konbini payment deadline
SETTLE_GRACE = timedelta(hours=1)
TIMEOUT_SECONDS = 10
ATTEMPTS = 3  # network errors and 5xx are retried with the same idempotency key
PAYMENT_TYPES = {"card": "credit_card", "konbini": "konbini", "paypay": "paypay"}

_EVENTS = {
    "payment.captured": UpdateKind.PAID,
    "payment.authorized": UpdateKind.AWAITING,  # konbini: a slip was issued, no money yet
    "payment.expired": UpdateKind.EXPIRED,
    "payment.cancelled": UpdateKind.FAILED,
    "payment.failed": UpdateKind.FAILED,
    "payment.refunded": UpdateKind.REFUNDED,
}


class KomojuError(Exception):
    def __init__(self, status: int, body: str):
        self.status = status
        super().__init__(f"KOMOJU answered {status}: {body[:300]}")


def _idempotency(key: str) -> str:
    # The header takes at most 100 ASCII characters; longer keys are hashed (still deterministic).
    return key if len(key) <= 100 and key.isascii() else hashlib.sha256(key.encode()).hexdigest()


class KomojuAdapter:
    provider = "komoju"
    methods = frozenset(PAYMENT_TYPES)

    def _credentials(self) -> credentials.ProviderCredentials:
        return credentials.load(get_settings().komoju_secret)

    def _request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        url = get_settings().komoju_api_base.rstrip("/") + "/api/v1" + path
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"komoju_api_base must be an http(s) URL, not {url!r}")
        token = base64.b64encode(f"{self._credentials().api_key}:".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["X-KOMOJU-IDEMPOTENCY"] = _idempotency(idempotency_key)
        last: Exception | None = None
        for _ in range(ATTEMPTS):
            request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                    return dict(json.loads(response.read() or b"{}"))
            except urllib.error.HTTPError as exc:
                error = KomojuError(exc.code, exc.read().decode("utf-8", "replace"))
                if exc.code < 500 and exc.code != 409:  # 409: a concurrent retry with our key is running
                    raise error from exc
                last = error
            except (urllib.error.URLError, TimeoutError) as exc:
                last = exc
        assert last is not None
        raise last

    def create_checkout(self, order: Order, *, title: str, idempotency_key: str) -> Checkout:
        method = order.payment_method or "card"
        body = {
            "amount": int(order.amount),
            "currency": "JPY",
            "payment_data": {"external_order_num": order.order_id},  # copied onto the payment
            "return_url": order_page_url(order.order_id, "done"),
            "payment_types": [PAYMENT_TYPES[method]],
            "default_locale": "ja",
            "expires_in_seconds": CHECKOUT_SECONDS,
            "metadata": {"order_id": order.order_id, "title": title[:2000], "count": str(int(order.count))},
        }
        try:
            session = self._request("POST", "/sessions", body, idempotency_key)
        except (KomojuError, urllib.error.URLError, TimeoutError) as exc:
            raise PaymentProviderUnavailable(details={"provider": "komoju", "reason": str(exc)}) from exc
        expires_at = _parse_time(session.get("expires_at")) or clock.utc_now() + timedelta(
            seconds=CHECKOUT_SECONDS
        )
        payment_expires_at = expires_at + SETTLE_GRACE
        if method == "konbini":
            payment_expires_at += timedelta(days=KONBINI_DAYS + 1)
        return Checkout(str(session["id"]), str(session["session_url"]), expires_at, payment_expires_at)

    def refund(self, order: Order, *, reason: str, idempotency_key: str) -> RefundOutcome:
        if order.payment_method == "konbini":
            return RefundOutcome(
                "requested", None, "Konbini payments cannot be refunded to the slip: refund by bank transfer"
            )
        try:
            payment_id: str | None = order.provider_payment_id
            if not payment_id and order.provider_session_id:
                session = self._request("GET", f"/sessions/{order.provider_session_id}")
                payment_id = (session.get("payment") or {}).get("id")
            if not payment_id:
                return RefundOutcome("failed", None, "no payment to refund for this order")
            payment = self._request(
                "POST",
                f"/payments/{payment_id}/refund",
                # What arrived (an over-payment is refunded in full), else the order's amount.
                {"amount": int(_received(order)), "description": reason[:255]},
                idempotency_key,
            )
        except (KomojuError, urllib.error.URLError, TimeoutError) as exc:
            return RefundOutcome("failed", None, str(exc))
        refunds = payment.get("refunds") or []
        refund_id = str(refunds[-1]["id"]) if refunds else None
        if payment.get("status") == "refunded":
            return RefundOutcome("refunded", refund_id, "refunded")
        return RefundOutcome("failed", refund_id, f"payment is {payment.get('status')} after the refund call")

    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> ProviderUpdate:
        given = headers.get("x-komoju-signature") or ""
        expected = hmac.new(self._credentials().webhook_secret.encode(), raw_body, hashlib.sha256).hexdigest()
        if not given or not hmac.compare_digest(expected, given.strip().lower()):
            raise WebhookSignatureInvalid(details={"provider": "komoju", "reason": "signature mismatch"})
        try:
            event = json.loads(raw_body)
        except ValueError as exc:
            raise WebhookSignatureInvalid(
                details={"provider": "komoju", "reason": "body is not JSON"}
            ) from exc
        return parse_event(event, delivery_id=headers.get("x-komoju-id"))


def _received(order: Order) -> int:
    return int(order.received_amount if order.received_amount is not None else order.amount)


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_event(event: Mapping[str, Any], *, delivery_id: str | None = None) -> ProviderUpdate:
    """A verified KOMOJU event. Its body ``id`` names the event across redeliveries; the delivery id
    (``X-Komoju-ID``) is only the fallback."""
    event_type = str(event.get("type", ""))
    payment: Mapping[str, Any] = event.get("data") or {}
    amount = payment.get("amount")
    refunds = payment.get("refunds") or []
    return ProviderUpdate(
        provider="komoju",
        event_id=str(event.get("id") or delivery_id),
        event_type=event_type,
        kind=_EVENTS.get(event_type, UpdateKind.IGNORED),
        order_id=payment.get("external_order_num") or (payment.get("metadata") or {}).get("order_id"),
        amount=int(amount) if amount is not None else None,
        currency=str(payment.get("currency") or "").upper() or None,
        payment_id=payment.get("id"),
        refund_id=str(refunds[-1]["id"]) if refunds else None,
    )
