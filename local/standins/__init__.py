"""Local stand-ins for Stripe and KOMOJU (docs/payments.md): small HTTP servers on threads that speak
enough of each provider's API for our adapters, and deliver correctly signed webhooks to the gateway."""

from __future__ import annotations

import os
from dataclasses import dataclass

from local.standins import defaults
from local.standins.komoju_standin import KomojuStandin
from local.standins.server import Deliver, http_deliverer
from local.standins.stripe_standin import StripeStandin


@dataclass
class Standins:
    stripe: StripeStandin
    komoju: KomojuStandin

    def summary(self) -> str:
        return f"  Stripe     {self.stripe.url} (stand-in)\n  KOMOJU     {self.komoju.url} (stand-in)"

    def stop(self) -> None:
        self.stripe.stop()
        self.komoju.stop()


def start_standins(api_url: str, *, host: str = "127.0.0.1", deliver: Deliver | None = None) -> Standins:
    """Start both stand-ins and point the adapters at them (``OSHI_*_API_BASE``). Ports: STRIPE_STANDIN_PORT
    and KOMOJU_STANDIN_PORT (defaults 12111 and 12112; a busy port falls back to a free one)."""
    deliver = deliver or http_deliverer(api_url)
    stripe = StripeStandin(
        host, int(os.environ.get("STRIPE_STANDIN_PORT", defaults.STRIPE_PORT)), deliver=deliver
    ).start()
    komoju = KomojuStandin(
        host, int(os.environ.get("KOMOJU_STANDIN_PORT", defaults.KOMOJU_PORT)), deliver=deliver
    ).start()
    os.environ["OSHI_STRIPE_API_BASE"] = stripe.url
    os.environ["OSHI_KOMOJU_API_BASE"] = komoju.url
    from oshi.kernel.settings import reset_settings

    reset_settings()
    return Standins(stripe, komoju)  # type: ignore[arg-type]


__all__ = ["Standins", "start_standins"]
