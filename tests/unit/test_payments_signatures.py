"""Webhook signature checks and event parsing of both adapters, without AWS or network."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe
from hypothesis import given, settings
from hypothesis import strategies as st

from local.standins.komoju_standin import sign as komoju_sign
from local.standins.server import nested
from local.standins.stripe_standin import sign as stripe_sign
from oshi.commerce.payments import credentials
from oshi.commerce.payments.base import UpdateKind
from oshi.commerce.payments.komoju_adapter import KomojuAdapter
from oshi.commerce.payments.komoju_adapter import parse_event as komoju_event
from oshi.commerce.payments.stripe_adapter import (
    TOLERANCE_SECONDS,
    SignatureInvalid,
    StripeAdapter,
    verify_signature,
)
from oshi.commerce.payments.stripe_adapter import parse_event as stripe_event
from oshi.kernel.errors import WebhookSignatureInvalid

SECRET = "whsec_unit"


@pytest.fixture(autouse=True)
def fixed_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "load", lambda _: credentials.ProviderCredentials("sk_unit", SECRET))


def session_event(event_type: str = "checkout.session.completed", **session: Any) -> dict[str, Any]:
    obj = {
        "id": "cs_1",
        "client_reference_id": "order-1",
        "metadata": {"order_id": "order-1"},
        "amount_total": 300,
        "currency": "jpy",
        "payment_status": "paid",
        "payment_intent": "pi_1",
        **session,
    }
    return {"id": "evt_1", "object": "event", "type": event_type, "data": {"object": obj}}


@st.composite
def stripe_headers(draw: st.DrawFn, body: str) -> str:
    """Headers as Stripe sends them, and broken in the ways a header can be broken."""
    now = int(time.time())
    stamp = draw(st.sampled_from([now, now - 10, now - 10_000, now + 60]))  # far from the tolerance edge
    good = stripe.WebhookSignature._compute_signature(f"{stamp}.{body}", SECRET)
    written = draw(st.sampled_from([str(stamp), f" {stamp}", f"+{stamp}", f"{stamp:_}", "", "x", "1.5"]))
    v1s = draw(
        st.lists(
            st.sampled_from([good, good.upper(), good[:-1], "0" * 64, "", "é" * 64, good + "="]), max_size=3
        )
    )
    items = [f"t={written}", *(f"v1={v}" for v in v1s)]
    items += draw(st.lists(st.sampled_from(["v0=abc", "t", "v1", "x=y=z", "", f"t={now}"]), max_size=2))
    return ",".join(draw(st.permutations(items)))


@settings(max_examples=400, deadline=None)
@given(data=st.data(), body=st.sampled_from(['{"id": "evt_1"}', "", "日本語", "a.b"]))
def test_the_stripe_signature_check_answers_as_the_library_does(data: st.DataObject, body: str) -> None:
    """``verify_signature`` (standard library, no ``stripe`` import at run time) accepts exactly the headers
    ``stripe.WebhookSignature.verify_header`` accepts, with the same tolerance."""
    header = data.draw(st.one_of(stripe_headers(body), st.text(max_size=40), st.none()))

    def library_accepts(header: str | None) -> bool:
        try:
            stripe.WebhookSignature.verify_header(body, header, SECRET, TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            return False
        except TypeError:
            # The library crashes on a non-ASCII v1 (str compare_digest); ours refuses that one signature
            # and decides on the others, which is what the library answers without it.
            assert header is not None
            return library_accepts(",".join(i for i in header.split(",") if i.isascii() or i[:3] != "v1="))
        return True

    theirs = library_accepts(header)
    try:
        verify_signature(body, header, SECRET, now=time.time())
        ours = True
    except SignatureInvalid:
        ours = False
    assert ours == theirs, header


def test_stripe_accepts_our_signature_and_any_matching_v1_during_rotation() -> None:
    body = json.dumps(session_event()).encode()
    update = StripeAdapter().verify_webhook(body, {"stripe-signature": stripe_sign(body, SECRET)})
    assert (update.kind, update.order_id, update.amount, update.currency) == (
        UpdateKind.PAID,
        "order-1",
        300,
        "JPY",
    )
    old = stripe_sign(body, "whsec_old").split(",")[1]
    rotated = stripe_sign(body, SECRET) + "," + old
    assert StripeAdapter().verify_webhook(body, {"stripe-signature": rotated}).event_id == "evt_1"


def test_the_library_signs_the_way_the_stand_in_does() -> None:
    body = json.dumps(session_event())
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET, timestamp=1_800_000_000)
    assert header == stripe_sign(body.encode(), SECRET, 1_800_000_000)


@pytest.mark.parametrize("offset", [-301, 301])
def test_stripe_rejects_timestamps_too_old_or_from_the_future(offset: int) -> None:
    body = json.dumps(session_event()).encode()
    header = stripe_sign(body, SECRET, int(time.time()) + offset)
    with pytest.raises(WebhookSignatureInvalid):
        StripeAdapter().verify_webhook(body, {"stripe-signature": header})


def test_stripe_rejects_invalid_utf8_and_missing_headers() -> None:
    with pytest.raises(WebhookSignatureInvalid):
        StripeAdapter().verify_webhook(b"\xff\xfe", {"stripe-signature": stripe_sign(b"\xff\xfe", SECRET)})
    with pytest.raises(WebhookSignatureInvalid):
        StripeAdapter().verify_webhook(b"{}", {})


def test_stripe_event_mapping() -> None:
    assert stripe_event(session_event(payment_status="unpaid")).kind is UpdateKind.AWAITING
    assert stripe_event(session_event("checkout.session.async_payment_succeeded")).kind is UpdateKind.PAID
    assert stripe_event(session_event("checkout.session.async_payment_failed")).kind is UpdateKind.FAILED
    assert stripe_event(session_event("checkout.session.expired")).kind is UpdateKind.EXPIRED
    assert stripe_event(session_event("customer.created")).kind is UpdateKind.IGNORED
    charge = {
        "id": "evt_2",
        "type": "charge.refunded",
        "data": {
            "object": {
                "refunded": True,
                "amount_refunded": 300,
                "currency": "jpy",
                "metadata": {"order_id": "order-1"},
                "refunds": {"data": [{"id": "re_1"}]},
                "payment_intent": "pi_1",
            }
        },
    }
    refunded = stripe_event(charge)
    assert (refunded.kind, refunded.order_id, refunded.refund_id) == (UpdateKind.REFUNDED, "order-1", "re_1")
    charge["data"]["object"]["refunded"] = False  # a partial refund is not ours (we refund whole orders)
    assert stripe_event(charge).kind is UpdateKind.IGNORED


def test_komoju_signature_is_hmac_of_the_raw_body_and_names_events_by_their_body_id() -> None:
    event = {
        "id": "ev1",
        "type": "payment.captured",
        "data": {"id": "pay1", "amount": 3000, "currency": "JPY", "external_order_num": "order-2"},
    }
    body = json.dumps(event).encode()
    update = KomojuAdapter().verify_webhook(
        body, {"x-komoju-signature": komoju_sign(body, SECRET), "x-komoju-id": "d1"}
    )
    assert (update.kind, update.order_id, update.event_key, update.payment_id) == (
        UpdateKind.PAID,
        "order-2",
        "komoju:ev1",
        "pay1",
    )
    for headers in ({}, {"x-komoju-signature": komoju_sign(body, "other")}, {"x-komoju-signature": "zz"}):
        with pytest.raises(WebhookSignatureInvalid):
            KomojuAdapter().verify_webhook(body, headers)
    assert (
        komoju_event({"type": "payment.authorized", "data": {}}, delivery_id="d2").kind is UpdateKind.AWAITING
    )
    assert komoju_event({"type": "payment.authorized", "data": {}}, delivery_id="d2").event_id == "d2"
    assert komoju_event({"id": "e", "type": "payment.cancelled", "data": {}}).kind is UpdateKind.FAILED
    assert komoju_event({"id": "e", "type": "payment.refunded", "data": {}}).kind is UpdateKind.REFUNDED


def test_stripe_form_encoding_round_trips_through_the_stand_in() -> None:
    form = {
        "line_items[0][price_data][currency]": "jpy",
        "line_items[0][price_data][unit_amount]": "300",
        "line_items[0][quantity]": "1",
        "metadata[order_id]": "o1",
        "payment_method_types[0]": "konbini",
    }
    assert nested(form) == {
        "line_items": [{"price_data": {"currency": "jpy", "unit_amount": "300"}, "quantity": "1"}],
        "metadata": {"order_id": "o1"},
        "payment_method_types": ["konbini"],
    }


def test_the_webhook_body_is_verified_as_received_even_when_api_gateway_base64_encoded_it() -> None:
    import base64

    from payment.webhook_common import raw_body

    body = json.dumps(session_event(), ensure_ascii=False).encode() + "日本".encode()
    assert raw_body({"body": base64.b64encode(body).decode(), "isBase64Encoded": True}) == body
    assert raw_body({"body": body.decode(), "isBase64Encoded": False}) == body
    assert raw_body({"body": None}) == b""
