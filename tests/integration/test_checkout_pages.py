"""Where the providers send the fan back, and the stand-ins' checkout pages as a person uses them.

The return URLs are the fan app's order page (``/orders/?id=<order>&checkout=done|cancelled``). The
stand-in pages are whole HTML documents with a labelled, 44 px button; pressing it pays through the same
demo path the tests use and 303-redirects to the session's success/return URL, or (konbini) issues a
slip, shows its deadline and leaves the order pending until it is settled.
"""

from __future__ import annotations

import http.client
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

from payment_support import (
    bus_fixture,  # noqa: F401
    fan,
    gacha_on_sale,
    of_type,
    purchase,
    standins_fixture,  # noqa: F401
)
from support import Api

from local.standins import Standins
from oshi.kernel.settings import get_settings
from oshi.models.orders import Order


def _http(method: str, url: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One request, redirects NOT followed (the test reads the 303 itself)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    body = urlencode(form).encode() if form is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"} if body else {}
    connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers)
    response = connection.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    connection.close()
    return result


def _order_page(order_id: str, checkout: str) -> str:
    return f"{get_settings().frontend_url}/orders/?id={order_id}&checkout={checkout}"


def _assert_accessible_page(page: str) -> None:
    assert re.search(r'<html lang="(ja|en)">', page)
    assert re.search(r"<title>[^<]+</title>", page)
    assert "min-height:44px" in page
    buttons = re.findall(r"<button[^>]*>([^<]+)</button>", page)
    assert buttons and all(label.strip() for label in buttons), "every button has a visible label"


def test_providers_return_the_fan_to_the_order_page(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    token = fan()
    stripe_order = purchase(api, token, sale.gacha_id).json()
    session = standins.stripe.sessions[Order.get(stripe_order["order_id"]).provider_session_id]
    assert session["success_url"] == _order_page(stripe_order["order_id"], "done")
    assert session["cancel_url"] == _order_page(stripe_order["order_id"], "cancelled")

    other = gacha_on_sale(api, total_stock=5, user_id="vt-2")
    komoju_order = purchase(api, token, other.gacha_id, provider="komoju").json()
    komoju = standins.komoju.sessions[Order.get(komoju_order["order_id"]).provider_session_id]
    assert komoju["return_url"] == _order_page(komoju_order["order_id"], "done")


def test_stripe_card_page_pays_and_redirects_to_the_success_url(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    order = purchase(api, fan(), sale.gacha_id).json()
    status, _, page = _http("GET", order["redirect_url"])
    assert status == 200
    _assert_accessible_page(page)
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    assert action is not None
    status, headers, _ = _http("POST", standins.stripe.url + action.group(1), {"outcome": "success"})
    assert status == 303
    assert headers["location"] == _order_page(order["order_id"], "done")
    assert Order.get(order["order_id"]).status == "PAID"
    assert len(of_type(bus, "PaymentCompleted")) == 1
    assert f'href="{_order_page(order["order_id"], "cancelled")}"'.replace("&", "&amp;") in page


def test_komoju_card_page_pays_and_returns_with_the_session_id(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    order = purchase(api, fan(), sale.gacha_id, provider="komoju").json()
    session_id = Order.get(order["order_id"]).provider_session_id
    status, _, page = _http("GET", order["redirect_url"])
    assert status == 200
    _assert_accessible_page(page)
    assert len(re.findall(r"<button", page)) == 1, "a card session has one way to pay"
    status, headers, _ = _http(
        "POST", f"{standins.komoju.url}/sessions/{session_id}/complete", {"outcome": "success"}
    )
    assert status == 303
    assert headers["location"] == _order_page(order["order_id"], "done") + f"&session_id={session_id}"
    assert Order.get(order["order_id"]).status == "PAID"


def test_komoju_konbini_slip_shows_the_deadline_and_leaves_the_order_pending_until_paid(
    api: Api, standins: Standins, bus: list[dict[str, Any]]
) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    order = purchase(api, fan(), sale.gacha_id, provider="komoju", method="konbini").json()
    session_id = Order.get(order["order_id"]).provider_session_id
    _, _, page = _http("GET", order["redirect_url"])
    _assert_accessible_page(page)
    assert 'value="pending"' in page and 'value="async_success"' in page, "pay now, or a slip for later"

    status, _, slip = _http(
        "POST", f"{standins.komoju.url}/sessions/{session_id}/complete", {"outcome": "pending"}
    )
    assert status == 200
    deadline = standins.komoju.sessions[session_id]["payment"]["payment_deadline"]
    assert deadline and deadline in slip
    assert Order.get(order["order_id"]).status == "PENDING_PAYMENT"
    assert [t for _, t, _ in standins.komoju.deliveries] == ["payment.authorized"]
    assert of_type(bus, "PaymentCompleted") == []

    # Paying the slip later settles it with one capture (the slip is not issued twice).
    standins.komoju.pay(session_id, "async_success")
    assert [t for _, t, _ in standins.komoju.deliveries] == ["payment.authorized", "payment.captured"]
    assert Order.get(order["order_id"]).status == "PAID"
    assert len(of_type(bus, "PaymentCompleted")) == 1


def test_stripe_konbini_page_issues_a_slip_and_a_later_payment_settles_it(
    api: Api, standins: Standins
) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    order = purchase(api, fan(), sale.gacha_id, method="konbini").json()
    session_id = Order.get(order["order_id"]).provider_session_id
    _, _, page = _http("GET", order["redirect_url"])
    _assert_accessible_page(page)
    status, _, slip = _http(
        "POST", f"{standins.stripe.url}/checkout/{session_id}/complete", {"outcome": "pending"}
    )
    assert status == 200 and "JST" in slip
    assert Order.get(order["order_id"]).status == "PENDING_PAYMENT"
    standins.stripe.pay(session_id, "async_success")
    assert [t for _, t, _ in standins.stripe.deliveries] == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]
    assert Order.get(order["order_id"]).status == "PAID"


def test_the_demo_endpoint_still_answers_json(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api, total_stock=5)
    order = purchase(api, fan(), sale.gacha_id).json()
    session_id = Order.get(order["order_id"]).provider_session_id
    status, _, body = _http("POST", f"{standins.stripe.url}/_demo/pay/{session_id}?outcome=success")
    assert status == 200 and '"checkout.session.completed"' in body
    assert Order.get(order["order_id"]).status == "PAID"
