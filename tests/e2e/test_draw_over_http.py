"""The draw end to end on the local stack (issue 6): purchase -> stand-in pays -> signed webhook ->
PaymentCompleted -> the fulfilment consumer -> FULFILLED with results, rewards in the box, within 3 s."""

from __future__ import annotations

import time

import pytest
import requests
from e2e_support import LocalStack
from test_payment_over_http import buy, new_fan, standin_url

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]


def test_paid_order_is_drawn_within_3_seconds_over_http(
    local_stack: LocalStack, http: requests.Session
) -> None:
    token = new_fan(http, local_stack)
    auth = {"Authorization": f"Bearer {token}"}
    order = buy(http, local_stack, token, "stripe", "card")
    session_id = order["redirect_url"].rsplit("/", 1)[1]
    paid = http.post(
        f"{standin_url(local_stack, 'Stripe')}/_demo/pay/{session_id}", data={"outcome": "success"}
    )
    accepted = time.monotonic()
    assert [d["status"] for d in paid.json()["delivered"]] == [200]

    while True:
        body = http.get(f"{local_stack.api_url}/api/gacha/orders/{order['order_id']}", headers=auth).json()
        if body["status"] == "FULFILLED" or time.monotonic() - accepted > 3:
            break
        time.sleep(0.05)
    assert body["status"] == "FULFILLED", body
    assert len(body["results"]["items"]) == 1
    assert body["results"]["proof"]["format"] == "oshi-fairness/1"

    rewards = http.get(f"{local_stack.api_url}/api/rewards/list", headers=auth)
    assert rewards.status_code == 200, rewards.text
    items = rewards.json()["items"]
    assert items and {r["reward_id"].split("#")[0] for r in items} == {order["order_id"]}
    fairness = http.get(f"{local_stack.api_url}/api/gachas/{body['gacha_id']}/fairness")
    assert (
        fairness.status_code == 200
        and fairness.json()["commitment"] == body["results"]["proof"]["commitment"]
    )
