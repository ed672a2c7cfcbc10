"""POST /api/payment/webhooks/stripe: the signature is verified against the raw body before anything is read."""

from __future__ import annotations

from oshi.commerce import webhooks
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from payment.webhook_common import raw_body

endpoint = Endpoint(__name__)


@endpoint
def post_stripe_webhook() -> JsonObject:  # in JSON form: sent without pydantic
    event = endpoint.request
    return webhooks.handle(
        "stripe", raw_body(event.raw_event), dict(event.headers or {}), endpoint.request_id
    )


handler = endpoint.lambda_handler
