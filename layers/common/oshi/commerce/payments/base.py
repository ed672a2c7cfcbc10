"""The payment adapter interface: what purchase, webhooks and refunds need from a provider.

Adapters never touch our tables: they translate between an ``Order`` and the provider's API, and turn a
webhook (after verifying its signature against the raw bytes) into a ``ProviderUpdate`` that
``oshi.commerce.webhooks`` applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import urlencode

from oshi.kernel.settings import get_settings

if TYPE_CHECKING:
    from oshi.models.orders import Order

RefundStatus = Literal["refunded", "requested", "failed"]
CheckoutResult = Literal["done", "cancelled"]


def order_page_url(order_id: str, checkout: CheckoutResult) -> str:
    """Where a provider sends the fan back: the fan app's order page. It is a static export, so the id is
    a query parameter (``/orders/?id=``), and ``checkout`` says how the provider's page was left."""
    query = urlencode({"id": order_id, "checkout": checkout})
    return f"{get_settings().frontend_url.rstrip('/')}/orders/?{query}"


@dataclass(frozen=True)
class Checkout:
    session_id: str
    redirect_url: str
    expires_at: datetime  # the hosted checkout page stops accepting payment
    payment_expires_at: datetime  # the payment itself can no longer complete (konbini: days later)


@dataclass(frozen=True)
class RefundOutcome:
    """``requested``: recorded for a manual bank transfer (cash payments such as konbini cannot be
    refunded to the slip); ``failed``: the provider refused, ``message`` says why."""

    status: RefundStatus
    provider_refund_id: str | None
    message: str


class UpdateKind(StrEnum):
    PAID = "paid"  # the money arrived: fulfil
    AWAITING = "awaiting"  # an async method (konbini) is pending: nothing to do yet
    FAILED = "failed"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    IGNORED = "ignored"  # an event type we do not act on


@dataclass(frozen=True)
class ProviderUpdate:
    provider: str
    event_id: str
    event_type: str
    kind: UpdateKind
    order_id: str | None
    amount: int | None = None
    currency: str | None = None  # upper case ISO 4217
    payment_id: str | None = None
    refund_id: str | None = None

    @property
    def event_key(self) -> str:
        return f"{self.provider}:{self.event_id}"


class PaymentAdapter(Protocol):
    provider: str
    methods: frozenset[str]  # card | konbini | paypay

    def create_checkout(self, order: Order, *, title: str, idempotency_key: str) -> Checkout: ...

    def refund(self, order: Order, *, reason: str, idempotency_key: str) -> RefundOutcome: ...

    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> ProviderUpdate:
        """Raise ``WebhookSignatureInvalid`` unless the raw body is signed with our webhook secret.
        ``headers`` have lower-case names."""
        ...
