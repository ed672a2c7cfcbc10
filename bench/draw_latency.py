"""Time from the payment webhook accepted to the order FULFILLED (the moment ``GachaCompleted`` is
published, just after the commit) on the local stack: p50 and p99 over N orders, 10 at a time.

    .venv/bin/python -m bench.draw_latency [N]

Starts ``python -m local`` (as the e2e tests do); ten fans each buy single draws with Stripe card through
the gateway, the Stripe stand-in pays and delivers its signed webhook (the call returns once the webhook was
accepted), then the fan polls ``GET /api/gacha/orders/{id}`` every 10 ms until it is FULFILLED.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from e2e_support import LocalStack, running_local_stack  # noqa: E402 - the tests' helper that starts the stack

WORKERS = 10


def stripe_url(stack: LocalStack) -> str:
    for line in stack.output:
        parts = line.split()
        if parts[:1] == ["Stripe"] and parts[-1] == "(stand-in)":
            return parts[1]
    raise LookupError("no Stripe stand-in")


def new_fan(http: requests.Session, stack: LocalStack) -> str:
    email, password = f"bench-{uuid.uuid4().hex[:8]}@example.com", "Correct-horse-9"
    registered = http.post(
        f"{stack.api_url}/api/auth/register",
        json={
            "email": email,
            "password": password,
            "display_name": "Bench",
            "birth_date": "1990-05-05",
            "terms_version": "2026-11",
            "accept_terms": True,
        },
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    login = http.post(
        f"{stack.api_url}/api/auth/login", json={"email": email, "password": password}, timeout=30
    )
    return str(login.json()["tokens"]["access_token"])


def one_fan(stack: LocalStack, orders: int) -> list[float]:
    http = requests.Session()
    token = new_fan(http, stack)
    auth = {"Authorization": f"Bearer {token}"}
    pay_base = stripe_url(stack)
    times = []
    for _ in range(orders):
        bought = http.post(
            f"{stack.api_url}/api/gacha/purchase",
            json={
                "gacha_id": stack.demo_gacha_id(),
                "count": 1,
                "provider": "stripe",
                "payment_method": "card",
            },
            headers=auth,
            timeout=30,
        )
        assert bought.status_code == 201, bought.text
        order = bought.json()
        session_id = order["redirect_url"].rsplit("/", 1)[1]
        paid = http.post(f"{pay_base}/_demo/pay/{session_id}", data={"outcome": "success"}, timeout=30)
        accepted = time.perf_counter()
        assert [d["status"] for d in paid.json()["delivered"]] == [200], paid.text
        while True:
            status = http.get(
                f"{stack.api_url}/api/gacha/orders/{order['order_id']}", headers=auth, timeout=30
            )
            if status.json()["status"] == "FULFILLED":
                times.append(time.perf_counter() - accepted)
                break
            if time.perf_counter() - accepted > 30:
                raise TimeoutError(f"order {order['order_id']} not fulfilled after 30 s")
            time.sleep(0.01)
    return times


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with running_local_stack() as stack, ThreadPoolExecutor(WORKERS) as pool:
        runs = list(pool.map(lambda _: one_fan(stack, total // WORKERS), range(WORKERS)))
    times = sorted(t for run in runs for t in run)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(
        f"{len(times)} orders, {WORKERS} at a time: webhook accepted -> FULFILLED "
        f"p50 {statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
