"""The stand-ins' documented local credentials (docs/payments.md). Never used outside the local stack and
the tests: on AWS the secrets are set by the deployer in Secrets Manager."""

from __future__ import annotations

import json

STRIPE_API_KEY = "sk_test_oshi_local_standin"
STRIPE_WEBHOOK_SECRET = "whsec_oshi_local_standin"  # noqa: S105 (documented local default)
KOMOJU_API_KEY = "sk_oshi_local_komoju_standin"
KOMOJU_WEBHOOK_SECRET = "oshi-local-komoju-webhook-secret"  # noqa: S105

STRIPE_PORT = 12111  # STRIPE_STANDIN_PORT overrides; a busy port falls back to a free one
KOMOJU_PORT = 12112  # KOMOJU_STANDIN_PORT

STRIPE_WEBHOOK_PATH = "/api/payment/webhooks/stripe"
KOMOJU_WEBHOOK_PATH = "/api/payment/webhooks/komoju"


def secret_documents() -> dict[str, str]:
    """Settings attribute naming the secret -> the JSON document stored there."""
    return {
        "stripe_secret": json.dumps({"api_key": STRIPE_API_KEY, "webhook_secret": STRIPE_WEBHOOK_SECRET}),
        "komoju_secret": json.dumps({"api_key": KOMOJU_API_KEY, "webhook_secret": KOMOJU_WEBHOOK_SECRET}),
    }
