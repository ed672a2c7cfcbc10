"""Launch hot key: many fans buying the same limited gacha at once, on the local stack.

    .venv/bin/python -m bench.hot_key [--fans 300] [--stock 200] [--clients 30]

Starts ``python -m local``, limits the demo gacha to ``--stock`` draws, mints tokens for ``--fans`` distinct
fans, and has them each buy one draw through ``POST /api/gacha/purchase`` from ``--clients`` threads. Every
purchase's reservation is a conditional write on the ONE gacha item. Prints the status mix, throughput,
latency percentiles, and checks that exactly ``--stock`` purchases succeeded and ``sold_draws`` equals it.
docs/performance.md explains what this means on AWS (one partition: ~1,000 WCU/s) and how to shard.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from local.runner import running_local_stack


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _mint_tokens(moto_url: str, fan_ids: list[str]) -> list[str]:
    """Access tokens signed with the local stack's key (read from its Secrets Manager in moto)."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_REGION": "ap-northeast-1",
            "OSHI_STAGE": "local",
        }
    )
    from oshi.identity import tokens
    from oshi.identity.principal import Caller, Role

    return [
        tokens.issue_access_token(Caller(fan, frozenset({Role.FAN}), False, email_verified=True), amr=["pwd"])
        for fan in fan_ids
    ]


def _limit_stock(gacha_id: str, stock: int) -> None:
    from oshi.models.gachas import Gacha

    Gacha(gacha_id).update(actions=[Gacha.total_stock.set(stock), Gacha.sold_draws.set(0)])


def _sold(gacha_id: str) -> int:
    from oshi.models.gachas import Gacha

    return int(Gacha.get(gacha_id, consistent_read=True).sold_draws or 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fans", type=int, default=300)
    parser.add_argument("--stock", type=int, default=200)
    parser.add_argument("--clients", type=int, default=30)
    args = parser.parse_args()

    with running_local_stack() as stack:
        gacha_id = stack.demo_gacha_id()
        tokens = _mint_tokens(stack.moto_url, [f"hot-fan-{i:05d}" for i in range(args.fans)])
        _limit_stock(gacha_id, args.stock)
        sessions: dict[int, requests.Session] = {}

        def buy(token: str) -> tuple[int, str, float]:
            session = sessions.setdefault(threading.get_ident(), requests.Session())
            started = time.perf_counter()
            response = session.post(
                f"{stack.api_url}/api/gacha/purchase",
                json={"gacha_id": gacha_id, "count": 1, "provider": "stripe"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            body: Any = response.json() if response.content else {}
            code = body.get("error", {}).get("code", "") if response.status_code >= 400 else ""
            return response.status_code, code, (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            results = list(pool.map(buy, tokens))
        elapsed = time.perf_counter() - started
        outcomes = Counter(f"{status} {code}".strip() for status, code, _ in results)
        latencies = [ms for _, _, ms in results]
        created = outcomes.get("201", 0)
        sold = _sold(gacha_id)
        print(f"hot key on the local stack: {args.fans} fans, stock {args.stock}, {args.clients} clients")
        print(f"  outcomes        {dict(outcomes)}")
        print(f"  throughput      {len(results) / elapsed:.1f} purchases/s ({elapsed:.2f} s)")
        print(
            f"  latency ms      p50 {statistics.median(latencies):.0f}  p95 {_percentile(latencies, 0.95):.0f}"
            f"  p99 {_percentile(latencies, 0.99):.0f}"
        )
        verdict = "ok" if created == args.stock == sold else "MISMATCH"
        print(f"  reserved        {sold} draws; {created} purchases accepted (stock {args.stock}): {verdict}")


if __name__ == "__main__":
    main()
