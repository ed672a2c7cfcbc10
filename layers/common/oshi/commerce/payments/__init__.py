"""Payment providers behind one small interface (``base.PaymentAdapter``).

``adapter_for("stripe" | "komoju")`` returns the provider's adapter; the ``stripe`` library is imported
only when a Stripe adapter is first asked for, so read-only handlers never pay for it.
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
