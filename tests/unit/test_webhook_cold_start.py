"""The payment webhooks load no pydantic: not at import, not in SnapStart's priming, and not in an
invocation that pays an order (the common case, which publishes ``PaymentCompleted`` built in JSON form:
``oshi.events.definitions.EventDefinition.event_from_json``).

They answer a plain JSON object and document no response model (``docs/openapi.json`` keeps its free-form
object), so ``tests/unit/test_light_bodies.py`` does not list them: this file does it for them. Each probe
runs in a fresh interpreter; the invocation under an in-process moto, and without ``OSHI_CHECK_RESPONSES``
(the check it enables validates with pydantic, by design): as on AWS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oshi.events.definitions import PAYMENT_COMPLETED, PaymentCompletedData

ROOT = Path(__file__).resolve().parents[2]
WEBHOOKS = ["payment.webhook_stripe", "payment.webhook_komoju"]

IMPORT_PROBE = """
import json, sys
import {handler}
from oshi.kernel import snapstart
at_import = sorted(m for m in ("pydantic", "stripe") if m in sys.modules)
snapstart.prime()
print(json.dumps([at_import, sorted(m for m in ("pydantic", "stripe") if m in sys.modules)]))
"""

# A pending order, then its provider's signed "paid" webhook through the handler (the one-write path).
PAYING_PROBE = """
import hashlib, hmac, importlib, json, sys, time
from datetime import UTC, datetime

from moto import mock_aws

provider = {provider!r}
with mock_aws():
    from local.apigw import FakeLambdaContext, rest_event
    from local.provision import provision
    from local.standins import defaults
    from oshi.events import bus
    from oshi.kernel import snapstart
    from oshi.kernel.settings import get_settings
    from oshi.models.orders import Order

    provision(get_settings())
    module = importlib.import_module("payment.webhook_" + provider)
    snapstart.prime()
    published = []
    real_put = bus._put
    bus._put = lambda entries: (published.extend(entries), real_put(entries))[1]
    before = sorted(m for m in ("pydantic", "stripe") if m in sys.modules)
    now = datetime.now(UTC)
    Order(
        "o-1", fan_id="f-1", gacha_id="g-1", vtuber_id="v-1", count=10, amount=3000, currency="JPY",
        medals_per_draw=1, provider=provider, status="PENDING_PAYMENT", created_at=now, updated_at=now,
    ).save()
    if provider == "stripe":
        session = {{
            "id": "cs_1", "client_reference_id": "o-1", "payment_status": "paid", "amount_total": 3000,
            "currency": "jpy", "payment_intent": "pi_1", "metadata": {{"order_id": "o-1"}},
        }}
        event = {{"id": "evt_1", "type": "checkout.session.completed", "data": {{"object": session}}}}
        body = json.dumps(event).encode()
        t = int(time.time())
        mac = hmac.new(defaults.STRIPE_WEBHOOK_SECRET.encode(), f"{{t}}.".encode() + body, hashlib.sha256)
        headers = {{"Content-Type": "application/json", "Stripe-Signature": f"t={{t}},v1={{mac.hexdigest()}}"}}
    else:
        payment = {{"id": "pay1", "status": "captured", "amount": 3000, "currency": "JPY",
                   "external_order_num": "o-1"}}
        body = json.dumps({{"id": "kev1", "type": "payment.captured", "data": payment}}).encode()
        mac = hmac.new(defaults.KOMOJU_WEBHOOK_SECRET.encode(), body, hashlib.sha256)
        headers = {{"Content-Type": "application/json", "X-Komoju-Signature": mac.hexdigest()}}
    answer = module.handler(
        rest_event(module.endpoint.route, headers=headers, body=body), FakeLambdaContext()
    )
    print(json.dumps({{
        "loaded": [before, sorted(m for m in ("pydantic", "stripe") if m in sys.modules)],
        "status": answer["statusCode"],
        "body": answer["body"],
        "order": Order.get("o-1").status,
        "published": [(e["DetailType"], json.loads(e["Detail"])) for e in published],
    }}))
"""


def _run(probe: str, *, check_responses: bool = True) -> Any:
    env = dict(os.environ)
    if not check_responses:
        env.pop("OSHI_CHECK_RESPONSES", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("handler", WEBHOOKS)
def test_a_webhook_imports_no_pydantic_nor_the_stripe_library_at_import_or_in_priming(handler: str) -> None:
    assert _run(IMPORT_PROBE.format(handler=handler)) == [[], []], "at import, after priming"


@pytest.mark.parametrize("provider", ["stripe", "komoju"])
def test_a_webhook_that_pays_an_order_imports_no_pydantic_nor_stripe_and_publishes_what_the_model_would(
    provider: str,
) -> None:
    seen = _run(PAYING_PROBE.format(provider=provider), check_responses=False)
    # neither before the request nor after it: the Stripe signature is checked with the standard library
    assert seen["loaded"] == [[], []]
    assert (seen["status"], json.loads(seen["body"]), seen["order"]) == (
        200,
        {"received": True, "outcome": "applied"},
        "PAID",
    )
    [(detail_type, detail)] = seen["published"]
    paid = PaymentCompletedData(
        order_id="o-1",
        fan_id="f-1",
        gacha_id="g-1",
        vtuber_id="v-1",
        count=10,
        amount=3000,
        provider=provider,
    )
    modelled = PAYMENT_COMPLETED.event(paid, correlation_id="o-1")
    expected = modelled.detail()
    expected["metadata"]["created_at"] = detail["metadata"]["created_at"]
    assert detail_type == modelled.detail_type
    assert json.dumps(detail) == json.dumps(expected)  # the same bytes, in the same order
