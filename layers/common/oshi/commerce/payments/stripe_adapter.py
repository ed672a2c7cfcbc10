"""Stripe through the official library: Checkout Sessions (zero-decimal JPY), refunds, verified webhooks.

The library talks to ``settings.stripe_api_base`` (the local stand-in, or https://api.stripe.com).
Our order id travels as ``client_reference_id`` and in the metadata of the session and of the
PaymentIntent (so ``charge.refunded`` can name the order too).

The library is imported where the API is called, not here: a webhook only checks a signature, an HMAC the
standard library computes (``verify_signature``, held to the library's ``verify_header`` by a property
test), and importing ``stripe`` costs ~0.8x ``import boto3`` on the webhook's first request.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from oshi.commerce.payments import credentials
from oshi.commerce.payments.base import Checkout, ProviderUpdate, RefundOutcome, UpdateKind, order_page_url
from oshi.kernel import clock
from oshi.kernel.errors import PaymentProviderUnavailable, WebhookSignatureInvalid
from oshi.kernel.settings import get_settings
from oshi.models.orders import Order

if TYPE_CHECKING:
    import stripe

CHECKOUT_MINUTES = 35  # Stripe accepts 30 min to 24 h (a margin over the minimum): short reservations
KONBINI_SLIP_DAYS = 3  # how long a konbini slip can be paid (Stripe's default)
SETTLE_GRACE = timedelta(hours=1)  # late webhooks: keep the reservation a little past the expiry
TOLERANCE_SECONDS = 300  # the library's default; it only rejects timestamps too OLD...
FUTURE_SKEW_SECONDS = 300  # ...so a timestamp from the future is rejected here

_SESSION_EVENTS = {
    "checkout.session.async_payment_succeeded": UpdateKind.PAID,
    "checkout.session.async_payment_failed": UpdateKind.FAILED,
    "checkout.session.expired": UpdateKind.EXPIRED,
}


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    import stripe

    return stripe.StripeClient(api_key, base_addresses={"api": api_base}, max_network_retries=2)


class SignatureInvalid(ValueError):
    pass


def verify_signature(payload: str, header: str | None, secret: str | None, *, now: float) -> int:
    """Check a ``Stripe-Signature`` header as ``stripe.WebhookSignature.verify_header`` does (HMAC-SHA256 of
    ``"{t}.{payload}"``; any ``v1`` may match, for secret rotation; ``t`` older than the tolerance is
    refused) and return its timestamp. Raises ``SignatureInvalid``."""
    if not header:
        raise SignatureInvalid("No Stripe-Signature header value was provided")
    if secret is None or secret.strip(" \t\r\n\f\v") == "":
        raise SignatureInvalid("No webhook secret value was provided")
    try:
        items = [item.split("=", 2) for item in header.split(",")]
        # every "t" must have a value, as the library reads them (not next(): it would stop at the first)
        timestamp = int([item[1] for item in items if item[0] == "t"][0])  # noqa: RUF015
        signatures = [item[1] for item in items if item[0] == "v1"]
    except (IndexError, ValueError):
        raise SignatureInvalid("Unable to extract timestamp and signatures from header") from None
    if not signatures:
        raise SignatureInvalid("No signatures found with expected scheme v1")
    expected = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), sha256).hexdigest().encode()
    # bytes: the library compares str, and a non-ASCII signature makes it raise TypeError (a 500) instead
    # of refusing that one signature
    if not any(hmac.compare_digest(expected, signature.encode()) for signature in signatures):
        raise SignatureInvalid("No signatures found matching the expected signature for payload")
    if timestamp < now - TOLERANCE_SECONDS:
        raise SignatureInvalid(f"Timestamp outside the tolerance zone ({timestamp})")
    return timestamp


class StripeAdapter:
    provider = "stripe"
    methods = frozenset({"card", "konbini", "paypay"})

    def _credentials(self) -> credentials.ProviderCredentials:
        return credentials.load(get_settings().stripe_secret)

    def _stripe(self) -> stripe.StripeClient:
        return _client(self._credentials().api_key, get_settings().stripe_api_base)

    def create_checkout(self, order: Order, *, title: str, idempotency_key: str) -> Checkout:
        now = clock.utc_now()
        expires_at = now + timedelta(minutes=CHECKOUT_MINUTES)
        method = order.payment_method or "card"
        metadata = {"order_id": order.order_id, "fan_id": order.fan_id, "gacha_id": order.gacha_id}
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": order.order_id,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "payment_method_types": [method],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "jpy",  # zero-decimal: unit_amount is whole yen
                        "unit_amount": int(order.amount),
                        "product_data": {"name": f"{title} ({int(order.count)} draw(s))"},
                    },
                }
            ],
            "success_url": order_page_url(order.order_id, "done"),
            "cancel_url": order_page_url(order.order_id, "cancelled"),
            "expires_at": int(expires_at.timestamp()),
        }
        payment_expires_at = expires_at + SETTLE_GRACE
        if method == "konbini":
            params["payment_method_options"] = {"konbini": {"expires_after_days": KONBINI_SLIP_DAYS}}
            payment_expires_at += timedelta(days=KONBINI_SLIP_DAYS + 1)  # slips expire at local midnight
        import stripe

        try:
            session = self._stripe().v1.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderUnavailable(details={"provider": "stripe", "reason": str(exc)}) from exc
        return Checkout(
            session_id=session.id,
            redirect_url=str(session.url),
            expires_at=datetime.fromtimestamp(int(session.expires_at), UTC),
            payment_expires_at=payment_expires_at,
        )

    def refund(self, order: Order, *, reason: str, idempotency_key: str) -> RefundOutcome:
        if order.payment_method == "konbini":
            return RefundOutcome(
                "requested",
                None,
                "Konbini payments cannot be refunded through Stripe: refund by bank transfer",
            )
        import stripe

        try:
            client = self._stripe()
            payment_intent: str | None = order.provider_payment_id
            if not payment_intent and order.provider_session_id:
                session = client.v1.checkout.sessions.retrieve(order.provider_session_id)
                payment_intent = _id_of(session.payment_intent)
            if not payment_intent:
                return RefundOutcome("failed", None, "no payment to refund for this order")
            refund = client.v1.refunds.create(
                params={
                    "payment_intent": payment_intent,
                    "reason": "requested_by_customer",
                    "metadata": {"order_id": order.order_id, "reason": reason[:500]},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            return RefundOutcome("failed", None, str(exc.user_message or exc))
        status = refund.status or ""
        if status == "succeeded":
            return RefundOutcome("refunded", refund.id, "refunded")
        if status in ("pending", "requires_action"):
            return RefundOutcome("requested", refund.id, f"refund {status} at Stripe")
        return RefundOutcome("failed", refund.id, f"refund {status or 'unknown'} at Stripe")

    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> ProviderUpdate:
        header = headers.get("stripe-signature")
        secret = self._credentials().webhook_secret
        try:
            payload = raw_body.decode("utf-8")
            # the tolerance against real time, as the library checks it: it bounds the provider's clock
            # and a replay, not our business time (tests move ``oshi.kernel.clock``)
            timestamp = verify_signature(payload, header, secret, now=time.time())
        except (SignatureInvalid, UnicodeDecodeError) as exc:
            raise WebhookSignatureInvalid(details={"provider": "stripe", "reason": str(exc)[:200]}) from exc
        if timestamp > clock.now() + FUTURE_SKEW_SECONDS:
            raise WebhookSignatureInvalid(details={"provider": "stripe", "reason": "timestamp in the future"})
        return parse_event(json.loads(payload))


def _id_of(value: Any) -> str | None:
    if value is None:
        return None
    return str(value if isinstance(value, str) else value.get("id"))


def parse_event(event: Mapping[str, Any]) -> ProviderUpdate:
    """A verified Stripe event as a ProviderUpdate (plain dicts: what the signature covered)."""
    event_type = str(event.get("type", ""))
    obj: Mapping[str, Any] = (event.get("data") or {}).get("object") or {}
    metadata = obj.get("metadata") or {}
    base: dict[str, Any] = {"provider": "stripe", "event_id": str(event.get("id")), "event_type": event_type}
    if event_type.startswith("checkout.session."):
        if event_type == "checkout.session.completed":
            paid = obj.get("payment_status") in ("paid", "no_payment_required")
            kind = UpdateKind.PAID if paid else UpdateKind.AWAITING
        else:
            kind = _SESSION_EVENTS.get(event_type, UpdateKind.IGNORED)
        amount = obj.get("amount_total")
        return ProviderUpdate(
            **base,
            kind=kind,
            order_id=obj.get("client_reference_id") or metadata.get("order_id"),
            amount=int(amount) if amount is not None else None,
            currency=str(obj.get("currency") or "").upper() or None,
            payment_id=_id_of(obj.get("payment_intent")),
        )
    if event_type == "charge.refunded":
        refunds = (obj.get("refunds") or {}).get("data") or []
        return ProviderUpdate(
            **base,
            kind=UpdateKind.REFUNDED if obj.get("refunded") else UpdateKind.IGNORED,  # partial: not ours
            order_id=metadata.get("order_id"),
            amount=int(obj.get("amount_refunded") or 0),
            currency=str(obj.get("currency") or "").upper() or None,
            payment_id=_id_of(obj.get("payment_intent")),
            refund_id=str(refunds[0]["id"]) if refunds else None,
        )
    return ProviderUpdate(**base, kind=UpdateKind.IGNORED, order_id=metadata.get("order_id"))
