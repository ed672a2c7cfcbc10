"""The exchange's concurrency cases over HTTP on the local stack (moto server + gateway).

The shop is written straight into the emulated DynamoDB (bench.exchange_load.seed_shop); the trades,
the balance and the reward box are read back through the API.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from e2e_support import LocalStack

from bench.exchange_load import seed_shop

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]


def _trades(local_stack: LocalStack, token: str, item_id: str, n: int) -> list[dict[str, Any]]:
    def one(i: int) -> dict[str, Any]:
        # A client whose connection drops retries with the same Idempotency-Key, as a real one would:
        # the key makes the retry safe (the gateway's small listen backlog can reset a burst of 100).
        for attempt in range(5):
            try:
                response = requests.post(
                    f"{local_stack.api_url}/api/exchange/trade",
                    json={"item_id": item_id, "quantity": 1},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"e2e-{item_id}-{i}"},
                    timeout=60,
                )
                break
            except requests.ConnectionError:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        body = response.json()
        return {
            "status": response.status_code,
            "code": body.get("error", {}).get("code"),
            "exchange_id": body.get("exchange_id"),
        }

    with ThreadPoolExecutor(max_workers=n) as pool:  # all in flight at once
        return list(pool.map(one, range(n)))


def _traded(results: list[dict[str, Any]]) -> set[str]:
    """Distinct exchanges made (a retried request may have been answered 200 with the first result)."""
    return {r["exchange_id"] for r in results if r["status"] in (200, 201)}


def _get(local_stack: LocalStack, token: str, path: str) -> Any:
    response = requests.get(
        f"{local_stack.api_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def _balance(local_stack: LocalStack, token: str, vtuber_id: str) -> int:
    items = _get(local_stack, token, "/api/medals")["items"]
    return int(next(b["balance"] for b in items if b["vtuber_id"] == vtuber_id))


def test_100_concurrent_trades_against_a_balance_for_10(local_stack: LocalStack) -> None:
    fan_id, token = local_stack.demo_user_id("fan"), local_stack.demo_token("fan")
    shop = seed_shop(local_stack.moto_url, fan_id, medals=104, cost=10, per_user_limit=1000)
    results = _trades(local_stack, token, shop.item_id, 100)
    assert len(_traded(results)) == 10
    assert {(r["status"], r["code"]) for r in results if r["status"] not in (200, 201)} == {
        (409, "INSUFFICIENT_MEDALS")
    }
    assert _balance(local_stack, token, shop.vtuber_id) == 4  # never negative, exactly 10 debits
    box = _get(local_stack, token, f"/api/rewards/list?vtuber_id={shop.vtuber_id}&limit=100")["items"]
    assert len(box) == 10 and {r["source"] for r in box} == {"exchange"}
    history = _get(local_stack, token, f"/api/medals/{shop.vtuber_id}/history?limit=100")["items"]
    assert sum(e["delta"] for e in history) == 4


def test_a_limit_of_one_is_never_exceeded_however_the_requests_race(local_stack: LocalStack) -> None:
    fan_id, token = local_stack.demo_user_id("fan"), local_stack.demo_token("fan")
    shop = seed_shop(local_stack.moto_url, fan_id, medals=1000, cost=1, per_user_limit=1)
    results = _trades(local_stack, token, shop.item_id, 50)
    assert len(_traded(results)) == 1
    assert {r["code"] for r in results if r["status"] not in (200, 201)} == {"EXCHANGE_LIMIT_REACHED"}
    assert _balance(local_stack, token, shop.vtuber_id) == 999
    [item] = _get(local_stack, token, f"/api/exchange/items?vtuber_id={shop.vtuber_id}")["items"]
    assert item["your_count"] == 1
