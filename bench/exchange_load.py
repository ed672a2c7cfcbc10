"""Trades per second on the local stack with N concurrent clients, and their latency percentiles.

    .venv/bin/python -m bench.exchange_load [--trades 400] [--clients 20 | --clients 1,10,50] [--instances 8]

Starts ``python -m local`` (moto server + HTTP gateway) on free ports, writes a shop straight into the
emulated DynamoDB (an approved VTuber, an unlimited item costing 1 medal, a fan with enough medals),
then fires the trades over HTTP from N client threads, each with its own Idempotency-Key. Prints
p50/p95/p99 latency and throughput, then checks the balance went down by exactly the trades made.

Note: the local gateway runs up to ``--instances`` instances of the trade function (``LOCAL_INSTANCES``;
1 = one request at a time, the old model), all in one process on a shared moto, so this measures the code
and moto on this machine; on AWS, Lambda scales out per request and the limit is DynamoDB's per-item write
rate on the fan's balance (transactions on the same item serialise). Each ``--clients`` value gets its own
shop and fan balance in the same running stack.
``seed_shop`` is also used by tests/e2e/test_exchange_over_http.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from local.runner import LocalStack, running_local_stack
from local.stack import DEFAULT_INSTANCES

ROOT = Path(__file__).resolve().parents[1]
LOCAL_PREFIX = "oshi-local-"  # the local stack's table names (stage "local")


@dataclass(frozen=True)
class SeededShop:
    vtuber_id: str
    item_id: str


def _dynamodb(moto_url: str) -> Any:
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=moto_url,
        region_name="ap-northeast-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _at(value: datetime) -> dict[str, str]:
    return {"S": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")}  # PynamoDB's format


def seed_shop(
    moto_url: str, fan_id: str, *, medals: int, cost: int, per_user_limit: int, stock: int | None = None
) -> SeededShop:
    """An approved VTuber, one exchange item on sale, and ``medals`` for the fan (balance + ledger)."""
    sys.path.insert(0, str(ROOT / "layers" / "common"))
    from oshi.kernel.ids import new_id

    db = _dynamodb(moto_url)
    now = datetime.now(UTC)
    user_id, vtuber_id, item_id, source_id = f"load-vt-{new_id()}", new_id(), new_id(), new_id()
    db.put_item(
        TableName=LOCAL_PREFIX + "vtubers",
        Item={
            "user_id": _s(user_id),
            "vtuber_id": _s(vtuber_id),
            "status": _s("approved"),
            "channel_name": _s("Load Test"),
            "channel_url": _s("https://youtube.example/@load"),
            "description": _s(""),
            "applied_at": _at(now),
            "updated_at": _at(now),
            "storage_bytes": _n(0),
        },
    )
    item: dict[str, Any] = {
        "item_id": _s(item_id),
        "vtuber_id": _s(vtuber_id),
        "owner_user_id": _s(user_id),
        "name": _s("Load wallpaper"),
        "description": _s(""),
        "cost": _n(cost),
        "per_user_limit": _n(per_user_limit),
        "sold": _n(0),
        "starts_at": _at(now - timedelta(hours=1)),
        "ends_at": _at(now + timedelta(days=1)),
        "status": _s("active"),
        "version": _n(1),
        "created_at": _at(now),
        "asset_id": _s(new_id()),
        "asset_object_key": _s(f"uploads/{vtuber_id}/wallpaper"),
        "asset_file_name": _s("wallpaper.png"),
        "asset_content_type": _s("image/png"),
        "asset_size_bytes": _n(1000),
    }
    if stock is not None:
        item |= {"stock": _n(stock), "remaining": _n(stock)}
    db.put_item(TableName=LOCAL_PREFIX + "exchange-items", Item=item)
    fan_vtuber = f"{fan_id}#{vtuber_id}"
    db.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": LOCAL_PREFIX + "medal-balances",
                    "Item": {
                        "fan_id": _s(fan_id),
                        "vtuber_id": _s(vtuber_id),
                        "balance": _n(medals),
                        "earned": _n(medals),
                        "spent": _n(0),
                        "updated_at": _at(now),
                    },
                }
            },
            {
                "Put": {
                    "TableName": LOCAL_PREFIX + "medal-ledger",
                    "Item": {
                        "fan_vtuber": _s(fan_vtuber),
                        "entry_id": _s(f"{source_id}#earn"),
                        "fan_id": _s(fan_id),
                        "vtuber_id": _s(vtuber_id),
                        "kind": _s("earn"),
                        "delta": _n(medals),
                        "source_id": _s(source_id),
                        "created_at": _at(now),
                    },
                }
            },
        ]
    )
    return SeededShop(vtuber_id, item_id)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trades", type=int, default=400)
    parser.add_argument("--clients", default="20", help="one number, or several: 1,10,50")
    parser.add_argument("--instances", type=int, help="instances per route function (default: the stack's)")
    args = parser.parse_args()
    if args.instances is not None:
        os.environ["LOCAL_INSTANCES"] = str(args.instances)
    with running_local_stack() as stack:
        for clients in (int(c) for c in str(args.clients).split(",")):
            run(stack, args.trades, clients)


def run(stack: LocalStack, trades: int, clients: int) -> None:
    import requests

    api_url, moto_url = stack.api_url, stack.moto_url
    fan_id, token = stack.demo_user_id("fan"), stack.demo_token("fan")
    shop = seed_shop(moto_url, fan_id, medals=trades + 10, cost=1, per_user_limit=trades + 10)
    session_per_thread: dict[int, requests.Session] = {}

    def one(i: int) -> tuple[int, float]:
        import threading

        session = session_per_thread.setdefault(threading.get_ident(), requests.Session())
        started = time.perf_counter()
        response = session.post(
            f"{api_url}/api/exchange/trade",
            json={"item_id": shop.item_id, "quantity": 1},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"load-{i}-{shop.item_id}"},
            timeout=30,
        )
        return response.status_code, time.perf_counter() - started

    one(-1)  # warm the function (imports, the item's terms)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, range(trades)))
    elapsed = time.perf_counter() - started
    latencies = [seconds * 1000 for status, seconds in results if status == 201]
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    balances = requests.get(
        f"{api_url}/api/medals", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()["items"]
    left = next(b["balance"] for b in balances if b["vtuber_id"] == shop.vtuber_id)
    instances = os.environ.get("LOCAL_INSTANCES", str(DEFAULT_INSTANCES))
    print(
        f"exchange trades over HTTP on the local stack: {trades} trades, {clients} clients,"
        f" {instances} instances per route"
    )
    print(f"  statuses        {statuses}")
    print(f"  throughput      {len(latencies) / elapsed:.1f} trades/s ({elapsed:.2f} s)")
    print(
        f"  latency ms      p50 {statistics.median(latencies):.1f}  p95 {percentile(latencies, 0.95):.1f}"
        f"  p99 {percentile(latencies, 0.99):.1f}"
    )
    expected = trades + 10 - 1 - statuses.get(201, 0)
    print(f"  balance left    {left} (expected {expected}: {'ok' if left == expected else 'MISMATCH'})")


if __name__ == "__main__":
    main()
