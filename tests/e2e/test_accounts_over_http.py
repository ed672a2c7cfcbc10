"""Issue 18 end to end over HTTP on the local stack, with the mail read from its mailbox
(``/_local/mail.json``): sign up, verify by the mailed link, buy, get the receipt, reset the password
by the mailed link, see the old sessions revoked, export the data and delete the account."""

from __future__ import annotations

import uuid

import pytest
import requests
from e2e_support import LocalStack, link_in, mailbox, token_of, verify_email

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]
PASSWORD, NEW_PASSWORD = "Correct-horse-9", "Battery-staple-7"


def test_sign_up_verify_buy_receipt_reset_over_http(local_stack: LocalStack, http: requests.Session) -> None:
    api = local_stack.api_url
    email = f"acct-{uuid.uuid4().hex[:8]}@example.com"
    registered = http.post(
        f"{api}/api/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": "Aoi",
            "birth_date": "1995-05-05",
            "terms_version": "2026-11",
            "accept_terms": True,
        },
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    first = http.post(f"{api}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=10).json()
    auth = {"Authorization": f"Bearer {first['tokens']['access_token']}"}
    purchase = {
        "gacha_id": local_stack.demo_gacha_id(),
        "count": 1,
        "provider": "stripe",
        "payment_method": "card",
    }
    refused = http.post(f"{api}/api/gacha/purchase", json=purchase, headers=auth, timeout=10)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "EMAIL_NOT_VERIFIED")

    page = http.get(f"{api}/_local/mail", timeout=10)  # the developer's mailbox page
    assert page.status_code == 200 and email in page.text and 'href="http' in page.text
    verify_email(local_stack, email)

    signed_in = http.post(
        f"{api}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=10
    ).json()
    tokens = signed_in["tokens"]
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    order = http.post(f"{api}/api/gacha/purchase", json=purchase, headers=auth, timeout=10)
    assert order.status_code == 201, order.text
    stripe = next(line.split()[1] for line in local_stack.output if line.split()[:1] == ["Stripe"])
    session_id = order.json()["redirect_url"].rsplit("/", 1)[1]
    http.post(f"{stripe}/_demo/pay/{session_id}", data={"outcome": "success"}, timeout=10)
    order_id = order.json()["order_id"]
    receipts = mailbox(local_stack, email, wait_for=order_id)
    receipt = next(m for m in receipts if order_id in m["subject"])
    assert f"/orders?id={order_id}" in link_in([receipt], "/orders")

    assert http.post(f"{api}/api/auth/password/forgot", json={"email": email}, timeout=10).status_code == 202
    reset_link = link_in(mailbox(local_stack, email, wait_for="reset-password"), "/account/reset-password")
    reset = http.post(
        f"{api}/api/auth/password/reset",
        json={"token": token_of(reset_link), "password": NEW_PASSWORD},
        timeout=10,
    )
    assert reset.status_code == 200, reset.text
    assert http.get(f"{api}/api/me", headers=auth, timeout=10).status_code == 401  # old sessions revoked
    stale = http.post(f"{api}/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10)
    assert stale.status_code == 401
    again = http.post(f"{api}/api/auth/login", json={"email": email, "password": NEW_PASSWORD}, timeout=10)
    assert again.status_code == 200
    assert mailbox(local_stack, email)[0]["subject"] == "パスワードが変更されました"

    # Export the data (APPI): the consumer mails a signed link to one JSON document.
    auth = {"Authorization": f"Bearer {again.json()['tokens']['access_token']}"}
    assert http.post(f"{api}/api/me/export", headers=auth, timeout=10).status_code == 202
    document = http.get(link_in(mailbox(local_stack, email, wait_for="/exports/"), "/exports/"), timeout=10)
    assert document.status_code == 200
    data = document.json()
    assert data["profile"]["email"] == email and [o["order_id"] for o in data["orders"]] == [order_id]

    # Delete the account: every session ends at once; the erasure follows after the grace period.
    deleted = http.post(f"{api}/api/me/delete", json={"password": NEW_PASSWORD}, headers=auth, timeout=10)
    assert deleted.status_code == 202, deleted.text
    assert http.get(f"{api}/api/me", headers=auth, timeout=10).status_code == 401
    assert mailbox(local_stack, email)[0]["subject"] == "アカウント削除を受け付けました"
