"""Payment providers behind one small interface (``base.PaymentAdapter``).

``adapter_for("stripe" | "komoju")`` returns the provider's adapter; the ``stripe`` library is imported
only when Stripe's API is first called (a checkout, a refund), so read-only handlers and the webhooks (a
signature is an HMAC) never pay for it. ``prime_checkout`` loads it before SnapStart's snapshot in the
function that creates checkouts.
"""

from __future__ import annotations

from oshi.commerce.payments.base import Checkout, PaymentAdapter, ProviderUpdate, RefundOutcome, UpdateKind
from oshi.kernel.errors import BadRequest

__all__ = ["Checkout", "PaymentAdapter", "ProviderUpdate", "RefundOutcome", "UpdateKind", "adapter_for"]

_adapters: dict[str, PaymentAdapter] = {}


def adapter_for(provider: str) -> PaymentAdapter:
    adapter = _adapters.get(provider)
    if adapter is None:
        if provider == "stripe":
            from oshi.commerce.payments.stripe_adapter import StripeAdapter

            adapter = StripeAdapter()
        elif provider == "komoju":
            from oshi.commerce.payments.komoju_adapter import KomojuAdapter

            adapter = KomojuAdapter()
        else:
            raise BadRequest(f"unknown payment provider {provider!r}")
        _adapters[provider] = adapter
    return adapter


def prime_checkout() -> None:
    """SnapStart primer of the purchase function: the stripe library (~0.8x ``import boto3``), imported
    before the snapshot instead of on a fan's first purchase. Builds nothing: no key is read."""
    import stripe  # noqa: F401

    adapter_for("stripe")
    adapter_for("komoju")
