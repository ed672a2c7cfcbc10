"""Time from the payment webhook accepted to the order FULFILLED (the moment ``GachaCompleted`` is
published, just after the commit) on the local stack: p50 and p99 over N orders, 10 at a time.

    .venv/bin/python -m bench.draw_latency [N] [--fans 1,10,50]

Starts ``python -m local`` (as the e2e tests do); N fans at a time (a new fan every 10 orders, the per-fan
purchase limit) each buy single draws with Stripe card through
the gateway, the Stripe stand-in pays and delivers its signed webhook (the call returns once the webhook was
accepted), then the fan polls ``GET /api/gacha/orders/{id}`` every 10 ms until it is FULFILLED.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.hot_key import _mint_tokens
from local.runner import LocalStack, running_local_stack
from oshi.web.routes import PURCHASE_LIMIT


def stripe_url(stack: LocalStack) -> str:
    for line in stack.output:
        parts = line.split()
        if parts[:1] == ["Stripe"] and parts[-1] == "(stand-in)":
            return parts[1]
    raise LookupError("no Stripe stand-in")


def fresh_fan(stack: LocalStack) -> str:
    """A token for a new fan id (minted with the stack's key): a fan buys at most 10 draws a minute."""
    return _mint_tokens(stack.moto_url, [f"bench-{uuid.uuid4().hex[:12]}"])[0]


def one_fan(stack: LocalStack, orders: int) -> list[float]:
    http = requests.Session()
    pay_base = stripe_url(stack)
    times = []
    for n in range(orders):
        if n % PURCHASE_LIMIT.max_hits == 0:
            auth = {"Authorization": f"Bearer {fresh_fan(stack)}"}
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
    args = [a for a in sys.argv[1:] if not a.startswith("--fans")]
    total = int(args[0]) if args else 100
    fans_arg = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--fans=")), "10")
    with running_local_stack() as stack:
        for workers in (int(n) for n in fans_arg.split(",")):
            with ThreadPoolExecutor(workers) as pool:
                started = time.perf_counter()
                runs = list(pool.map(lambda _, w=workers: one_fan(stack, max(1, total // w)), range(workers)))
                elapsed = time.perf_counter() - started
            times = sorted(t for run in runs for t in run)
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(
                f"{len(times)} orders, {workers:2} fans at a time: webhook accepted -> FULFILLED "
                f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
                f"max {times[-1] * 1000:.0f} ms; {len(times) / elapsed:.1f} orders/s end to end",
                flush=True,
            )


if __name__ == "__main__":
    main()
